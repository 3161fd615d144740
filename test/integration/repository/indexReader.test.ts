import * as sdk from '@aws-sdk/client-s3';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IndexConflictError, IndexObject } from '../../../lib/core/repository/IndexObject';
import { IndexReader } from '../../../lib/core/repository/IndexReader';
import { EMPTY_INDEX, serializeRepositoryIndex, withModel } from '../../../lib/core/repository/RepositoryIndex';
import { startLocalS3, type LocalS3 } from '../../support/localS3';

const BUCKET = 'repo';
const pin = 'cd'.repeat(32);
let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
});
afterAll(async () => s3?.close());

const indexWith = (...names: string[]) =>
  serializeRepositoryIndex(
    names.reduce((index, name) => withModel(index, name, { directory: `${name}/1/`, sha256: pin, size: 1 }), EMPTY_INDEX),
  );

/** GETs of the index as the S3 server answered them, by status. */
const indexGets = (key: string) => s3.proxy.requests.filter((r) => r.method === 'GET' && r.path.endsWith(key)).map((r) => r.status);

describe('IndexReader over the local S3 server', () => {
  it('reads lazily, trusts the index for its TTL, then revalidates with If-None-Match (a 304 while unchanged)', async () => {
    const key = 'ttl/index.json';
    await s3.put(BUCKET, key, Buffer.from(indexWith('a')));
    let now = 0;
    const reader = new IndexReader(new IndexObject(s3.client, sdk, BUCKET, key), { ttlMs: 1_000, now: () => now });
    expect(indexGets(key)).toEqual([]);

    expect(await reader.model('a')).toMatchObject({ directory: 'a/1/' });
    now = 999;
    expect(await reader.model('b')).toBeUndefined();
    expect(indexGets(key)).toEqual([200]);

    now = 1_000;
    await Promise.all([reader.current(), reader.current(), reader.current()]);
    expect(indexGets(key)).toEqual([200, 304]);

    await s3.put(BUCKET, key, Buffer.from(indexWith('a', 'b')));
    expect(await reader.model('b')).toBeUndefined(); // within the TTL of the 304
    now = 2_000;
    expect(await reader.model('b')).toMatchObject({ directory: 'b/1/' });
    expect(indexGets(key)).toEqual([200, 304, 200]);
    expect(reader.counts).toEqual({ reads: 2, notModified: 1, failures: 0 });
  });

  it('serves a removed model no more once the index drops it, and no index at all as an empty repository', async () => {
    const key = 'removed/index.json';
    let now = 0;
    const reader = new IndexReader(new IndexObject(s3.client, sdk, BUCKET, key), { ttlMs: 10, now: () => now });
    expect(await reader.current()).toEqual(EMPTY_INDEX);
    await s3.put(BUCKET, key, Buffer.from(indexWith('gone', 'kept')));
    now = 10;
    expect(Object.keys((await reader.current()).models)).toEqual(['gone', 'kept']);
    await s3.put(BUCKET, key, Buffer.from(indexWith('kept')));
    now = 20;
    expect(await reader.model('gone')).toBeUndefined();
  });

  it('keeps the index it read when a revalidation fails, and fails the first read', async () => {
    const key = 'faults/index.json';
    await s3.put(BUCKET, key, Buffer.from(indexWith('a')));
    let now = 0;
    const reader = new IndexReader(new IndexObject(s3.client, sdk, BUCKET, key), { ttlMs: 10, now: () => now });
    s3.proxy.inject({ type: 'status', status: 403, code: 'AccessDenied' }, 1, (_m, path) => path.endsWith(key));
    await expect(reader.current()).rejects.toThrow();
    expect(await reader.model('a')).toBeDefined();
    now = 10;
    s3.proxy.inject({ type: 'status', status: 403, code: 'AccessDenied' }, 1, (_m, path) => path.endsWith(key));
    expect(await reader.model('a')).toBeDefined();
    expect(reader.counts.failures).toBe(2);
  });
});

describe("the local S3 server's conditional writes (IndexObject.write)", () => {
  it('creates only where there is none, replaces only the ETag read, and refuses a stale one with 412', async () => {
    const key = 'writes/index.json';
    const index = new IndexObject(s3.client, sdk, BUCKET, key);
    const first = await index.write(indexWith('a'), undefined);
    await expect(index.write(indexWith('b'), undefined)).rejects.toBeInstanceOf(IndexConflictError);
    const second = await index.write(indexWith('a', 'b'), first);
    expect(second).not.toBe(first);
    await expect(index.write(indexWith('c'), first)).rejects.toThrow(/changed since it was read \(S3 answered 412\)/);
    const read = await index.read();
    expect(read).toMatchObject({ state: 'found', etag: second, text: indexWith('a', 'b') });
    // If-Match on no object: S3's 404, a conflict the writer reads again after.
    await expect(new IndexObject(s3.client, sdk, BUCKET, 'writes/none.json').write('{}', second)).rejects.toThrow(/S3 answered 404/);
  });

  it('lets one of two writers holding the same ETag win, whichever it is', async () => {
    const key = 'race/index.json';
    const index = new IndexObject(s3.client, sdk, BUCKET, key);
    const etag = await index.write(indexWith('a'), undefined);
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => index.write(indexWith('a', `m${i}`), etag)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof IndexConflictError)).toHaveLength(7);
  });

  it('leaves plain writes alone', async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'plain/x', Body: 'one' }));
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'plain/x', Body: 'two' }));
    expect(await new IndexObject(s3.client, sdk, BUCKET, 'plain/x').read()).toMatchObject({ text: 'two' });
  });
});
