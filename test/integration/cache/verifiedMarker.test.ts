import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeightsCache } from '../../../lib/core/cache/WeightsCache';
import { MANIFEST_NAME, serializeManifest } from '../../../lib/core/sources/ModelManifest';
import { modelSourceFor } from '../../../lib/core/sources/modelUri';
import { startLocalS3, type LocalS3 } from '../../support/localS3';
import { denseLayerModels } from '../../support/onnxModels';
import { tempDir } from '../../support/testHandler';

const BUCKET = 'models';
const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');
const MODEL = denseLayerModels(64, 32).single;
let s3: LocalS3;
let pin: string;

beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
  await s3.put(BUCKET, 'm/1/model.onnx', MODEL);
  const manifest = serializeManifest({ model: 'model.onnx', files: [{ path: 'model.onnx', size: MODEL.length, sha256: sha256(MODEL) }] });
  await s3.put(BUCKET, `m/1/${MANIFEST_NAME}`, Buffer.from(manifest));
  pin = sha256(manifest);
});
afterAll(async () => s3?.close());

describe('a pinned model directory in the cache, on a restart in the same sandbox', () => {
  it('is used without hashing it again once its files were verified in this boot', async () => {
    const dir = tempDir();
    const source = modelSourceFor(`s3://${BUCKET}/m/1/`, s3.client);
    const first = await new WeightsCache({ dir }).fetch(source, pin, { deferVerification: true });
    expect(first.origin).toBe('download');

    const restart = await new WeightsCache({ dir }).fetch(source, pin, { deferVerification: true });

    // No pending hash: the verified marker vouched for the files.
    expect([restart.origin, restart.verified]).toEqual(['cache', undefined]);
  });

  it('hashes again, and refuses, a file rewritten in place with its size and mtime kept (its ctime moved)', async () => {
    const dir = tempDir();
    const source = modelSourceFor(`s3://${BUCKET}/m/1/`, s3.client);
    const first = await new WeightsCache({ dir }).fetch(source, pin);
    const path = join(first.dir, 'model.onnx');
    const before = statSync(path, { bigint: true });
    const bytes = readFileSync(path);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
    writeFileSync(path, bytes);
    // Back to the exact nanosecond (utimes through Node rounds): touch takes it as text.
    const ns = before.mtimeNs;
    execFileSync('touch', ['-m', '-d', `@${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`, path]);
    // The rewrite is invisible to inode, size and mtime: only ctime tells.
    const after = statSync(path, { bigint: true });
    expect([after.ino, after.size, after.mtimeNs]).toEqual([before.ino, before.size, before.mtimeNs]);
    expect(after.ctimeNs).not.toBe(before.ctimeNs);

    const restart = await new WeightsCache({ dir }).fetch(source, pin, { deferVerification: true });

    expect(restart.origin).toBe('cache');
    expect(restart.verified).toBeInstanceOf(Promise);
    await expect(restart.verified).rejects.toThrow(/do(es)? not match the pinned manifest/);
  });
});
