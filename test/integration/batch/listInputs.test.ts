import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseS3Prefix } from '../../../lib/core/batch/S3Prefix';
import { assertBucketExists, listInputs } from '../../../lib/tools/batch/listInputs';
import { startLocalS3, type LocalS3 } from '../../support/localS3';

/** The local executor's listing, over real S3 protocol (the local stack's s3rver). */
describe("the local executor's listing", () => {
  let s3: LocalS3;
  const COUNT = 1_010;

  beforeAll(async () => {
    s3 = await startLocalS3(['inputs']);
    for (let i = 0; i < COUNT; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, COUNT - i) }, (_, j) =>
          s3.put('inputs', `in/${String(i + j).padStart(5, '0')}.png`, Buffer.from([i + j])),
        ),
      );
    }
    await s3.put('inputs', 'other/x.png', Buffer.from([1]));
  }, 120_000);

  afterAll(async () => {
    await s3?.close();
  });

  it('pages past 1,000 objects, in order, each as the ItemReader hands it out', async () => {
    const items = await listInputs(s3.client, parseS3Prefix('s3://inputs/in/', 'input'));
    expect(items.length).toBe(COUNT);
    expect(items.map((i) => i.Key)).toEqual(Array.from({ length: COUNT }, (_, i) => `in/${String(i).padStart(5, '0')}.png`));
    expect(items[0]).toEqual({
      Key: 'in/00000.png',
      Size: 1,
      ETag: expect.stringMatching(/^"[0-9a-f]{32}"$/),
      LastModified: expect.any(String),
      StorageClass: 'STANDARD',
    });
  });

  it('names a missing bucket and an empty prefix', async () => {
    await expect(listInputs(s3.client, parseS3Prefix('s3://nowhere/in/', 'input'))).rejects.toThrow(
      /the input bucket 'nowhere' does not exist/,
    );
    await expect(listInputs(s3.client, parseS3Prefix('s3://inputs/none/', 'input'))).rejects.toThrow(
      /no objects under the input prefix s3:\/\/inputs\/none\//,
    );
    await expect(assertBucketExists(s3.client, parseS3Prefix('s3://nowhere/out/', 'output'), 'output')).rejects.toThrow(
      /the output bucket 'nowhere' does not exist/,
    );
  });
});
