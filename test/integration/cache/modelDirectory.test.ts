import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WeightsCache } from '../../../lib/core/cache/WeightsCache';
import { EXAMPLE_MODELS } from '../../../lib/tools/local/exampleWeights';
import { pipelines } from '../../../lib/core/builtins';
import { MANIFEST_NAME, serializeManifest } from '../../../lib/core/sources/ModelManifest';
import { S3ModelSource } from '../../../lib/core/sources/S3ModelSource';
import { httpApiEvent, jsonBody, type Result } from '../../support/httpApiEvent';
import { startLocalS3, type LocalS3 } from '../../support/localS3';
import { denseLayerModels } from '../../support/onnxModels';
import { tempDir, testHandler } from '../../support/testHandler';
import { renderLine } from '../pipelines/renderText';

const BUCKET = 'models';
const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');
/** Small parts, so the external-data file downloads in ranged parts as a big one would. */
const DOWNLOAD = { partBytes: 64 * 1024 } as const;

let s3: LocalS3;

/** Uploads a model directory as `onnxless push` lays it out (manifest last); returns its pin. */
async function putModel(prefix: string, files: Record<string, Uint8Array>, listed: Record<string, Uint8Array> = files): Promise<string> {
  for (const [path, bytes] of Object.entries(files)) await s3.put(BUCKET, `${prefix}${path}`, bytes);
  const manifest = serializeManifest({
    model: 'model.onnx',
    files: Object.entries(listed).map(([path, bytes]) => ({ path, size: bytes.length, sha256: sha256(bytes) })),
  });
  await s3.put(BUCKET, `${prefix}${MANIFEST_NAME}`, Buffer.from(manifest));
  return sha256(manifest);
}

const OCR = Object.fromEntries(EXAMPLE_MODELS['text-recognition']!.map((f) => [f.path, readFileSync(f.from)]));
const DENSE = denseLayerModels(256, 256);

beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
});
afterAll(async () => s3?.close());
beforeEach(() => s3.proxy.reset());

function inferEvent(model: string, rows: number[][]) {
  return httpApiEvent('POST', `/v2/models/${model}/infer`, {
    body: JSON.stringify({ inputs: [{ name: 'x', shape: [rows.length, rows[0]!.length], datatype: 'FP32', data: rows.flat() }] }),
  });
}
const rows = (n: number, width: number) =>
  Array.from({ length: n }, (_, r) => Array.from({ length: width }, (_, i) => Math.sin(i * 0.1 + r)));
const outputData = (result: Result): number[] => jsonBody(result).outputs[0].data as number[];

describe('a model directory from S3', () => {
  it('reads a rendered line with text-recognition, its dictionary taken from beside model.onnx', async () => {
    const pin = await putModel('ocr/1/', OCR);
    const cacheDir = tempDir();
    const { handler } = testHandler(
      { name: 'ocr', uri: `s3://${BUCKET}/ocr/1/`, sha256: pin, cacheDir },
      { s3Client: s3.client, pipeline: pipelines.textRecognition },
    );

    const result = await handler(
      httpApiEvent('POST', '/models/ocr/predict', { body: await renderLine('harbor 42'), headers: { 'content-type': 'image/png' } }),
    );

    expect(result.statusCode, result.body).toBe(200);
    expect(jsonBody(result).text).toBe('harbor 42');
    const [root] = readdirSync(cacheDir);
    // Besides the model's files: its record and its verified marker (this machine's optimised
    // graph is written by a restart, not by a first load: sessionFromWeights.ts).
    expect(readdirSync(join(cacheDir, root!, pin)).sort()).toEqual([
      '.onnxless-record.json',
      '.onnxless-verified.json',
      'manifest.json',
      'model.onnx',
      'ppocr_keys_v1.txt',
    ]);
  });

  it('refuses a directory whose companion file does not match its manifest: 503, nothing assembled, no session', async () => {
    const bad = Buffer.from(OCR['ppocr_keys_v1.txt']!);
    bad[100] = (bad[100] as number) ^ 1;
    const pin = await putModel('ocr-bad/1/', { ...OCR, 'ppocr_keys_v1.txt': bad }, OCR);
    const cacheDir = tempDir();
    const { handler, sessions } = testHandler(
      { name: 'ocr', uri: `s3://${BUCKET}/ocr-bad/1/`, sha256: pin, cacheDir },
      { s3Client: s3.client, pipeline: pipelines.textRecognition },
    );

    const result = await handler(httpApiEvent('GET', '/v2/models/ocr/ready'));

    expect(result.statusCode).toBe(503);
    expect(jsonBody(result).error).toMatch(/failed verification/);
    expect(sessions()).toBe(0);
    const [root] = readdirSync(cacheDir);
    expect(existsSync(join(cacheDir, root!, pin))).toBe(false);
  });

  it('answers bit-exactly like the same model in one file when its initializers live in an external-data file', async () => {
    await s3.put(BUCKET, 'dense-single/1/model.onnx', DENSE.single);
    const pin = await putModel('dense-external/1/', {
      'model.onnx': DENSE.external.model,
      [DENSE.external.weightsFile]: DENSE.external.data,
    });
    const single = testHandler(
      { name: 'dense', uri: `s3://${BUCKET}/dense-single/1/model.onnx`, download: DOWNLOAD },
      { s3Client: s3.client },
    );
    const external = testHandler(
      { name: 'dense', uri: `s3://${BUCKET}/dense-external/1/`, sha256: pin, download: DOWNLOAD },
      { s3Client: s3.client },
    );
    const input = rows(3, 256);

    // Lazy: nothing is fetched before the first request.
    expect(s3.proxy.gets(`dense-external/1/${DENSE.external.weightsFile}`)).toHaveLength(0);
    const [a, b] = [await single.handler(inferEvent('dense', input)), await external.handler(inferEvent('dense', input))];

    expect(a.statusCode, a.body).toBe(200);
    expect(b.statusCode, b.body).toBe(200);
    expect(outputData(b)).toEqual(outputData(a));
    expect(outputData(b).some((v) => v !== 0)).toBe(true);
    // The weights file came in ranged parts, as a big one does.
    expect(s3.proxy.gets(`dense-external/1/${DENSE.external.weightsFile}`).length).toBeGreaterThan(1);
  });
});

describe('a pinned model in the cache is verified before a process first uses it', () => {
  /** Overwrite 4 KB of a cached file in place, keeping its size, inode and mtime to the nanosecond. */
  function corruptInPlace(path: string, at: number): void {
    // touch -r copies the timestamps exactly; JS's utimes would round them to a double.
    const reference = `${tempDir()}/reference`;
    execFileSync('cp', ['--preserve=timestamps', path, reference]);
    const bytes = readFileSync(path);
    for (let i = at; i < Math.min(at + 4096, bytes.length); i++) bytes[i] = (bytes[i] as number) ^ 0x5a;
    writeFileSync(path, bytes);
    execFileSync('touch', ['-r', reference, path]);
    expect(statSync(path).mtimeMs).toBe(statSync(reference).mtimeMs);
  }

  it('catches a cached single file rewritten in place (size and mtime kept) and serves the right weights', async () => {
    await s3.put(BUCKET, 'dense-s4/1/model.onnx', DENSE.single);
    const config = { name: 'dense', uri: `s3://${BUCKET}/dense-s4/1/model.onnx`, sha256: sha256(DENSE.single), cacheDir: tempDir() };
    const input = rows(2, 256);
    const good = outputData(await testHandler(config, { s3Client: s3.client }).handler(inferEvent('dense', input)));
    const [root] = readdirSync(config.cacheDir);
    // Inside W's raw data: the model still loads, with other weights.
    corruptInPlace(join(config.cacheDir, root!, 'model.onnx'), 2000);
    s3.proxy.reset();

    const { handler, sessions } = testHandler(config, { s3Client: s3.client });
    const result = await handler(inferEvent('dense', input));

    expect(result.statusCode).toBe(200);
    expect(outputData(result)).toEqual(good);
    // The bad copy was seen (a session made from it, then discarded) and downloaded again once.
    expect(sessions()).toBe(2);
    expect(s3.proxy.gets('dense-s4/1/model.onnx')).toHaveLength(1);
  });

  it('does not accept a forged cache record: the bytes are hashed, not the record believed', async () => {
    await s3.put(BUCKET, 'dense-forged/1/model.onnx', DENSE.single);
    const pin = sha256(DENSE.single);
    const config = { name: 'dense', uri: `s3://${BUCKET}/dense-forged/1/model.onnx`, sha256: pin, cacheDir: tempDir() };
    const input = rows(1, 256);
    const good = outputData(await testHandler(config, { s3Client: s3.client }).handler(inferEvent('dense', input)));
    const [root] = readdirSync(config.cacheDir);
    const path = join(config.cacheDir, root!, 'model.onnx');
    // Other weights of the same shape, and a record that vouches for them under the pin.
    writeFileSync(path, denseLayerModels(256, 256, 99).single);
    const s = statSync(path);
    const record = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as Record<string, unknown>;
    writeFileSync(`${path}.json`, JSON.stringify({ ...record, sha256: pin, size: s.size, ino: s.ino, mtimeMs: s.mtimeMs }));

    const result = await testHandler(config, { s3Client: s3.client }).handler(inferEvent('dense', input));

    expect(result.statusCode).toBe(200);
    expect(outputData(result)).toEqual(good);
  });

  it('catches a model directory file rewritten in place, and fetches that file alone again', async () => {
    const pin = await putModel('dense-dir/1/', { 'model.onnx': DENSE.external.model, [DENSE.external.weightsFile]: DENSE.external.data });
    const config = { name: 'dense', uri: `s3://${BUCKET}/dense-dir/1/`, sha256: pin, cacheDir: tempDir(), download: DOWNLOAD };
    const input = rows(2, 256);
    const good = outputData(await testHandler(config, { s3Client: s3.client }).handler(inferEvent('dense', input)));
    const [root] = readdirSync(config.cacheDir);
    corruptInPlace(join(config.cacheDir, root!, pin, DENSE.external.weightsFile), 8192);
    s3.proxy.reset();

    const { handler, sessions } = testHandler(config, { s3Client: s3.client });
    const result = await handler(inferEvent('dense', input));

    expect(result.statusCode).toBe(200);
    expect(outputData(result)).toEqual(good);
    expect(sessions()).toBe(2);
    expect(s3.proxy.gets(`dense-dir/1/${DENSE.external.weightsFile}`).reduce((sum, g) => sum + g.bodyBytes, 0)).toBe(
      DENSE.external.data.length,
    );
    expect(s3.proxy.gets('dense-dir/1/model.onnx')).toHaveLength(0);
    expect(s3.proxy.gets(`dense-dir/1/${MANIFEST_NAME}`)).toHaveLength(0);
  });
});

describe('the cache as the server uses it (verification before fetch returns)', () => {
  it('hashes a pinned cached file before returning it, and downloads it again when it does not match', async () => {
    await s3.put(BUCKET, 'dense-server/1/model.onnx', DENSE.single);
    const cache = new WeightsCache({ dir: tempDir() });
    const source = new S3ModelSource(BUCKET, 'dense-server/1/model.onnx', s3.client);
    const pin = sha256(DENSE.single);
    const first = await cache.fetch(source, pin);
    expect(first.origin).toBe('download');
    expect((await cache.fetch(source, pin)).origin).toBe('cache');

    const path = first.path;
    const s = statSync(path);
    writeFileSync(path, denseLayerModels(256, 256, 5).single);
    const now = statSync(path);
    writeFileSync(
      `${path}.json`,
      JSON.stringify({ ...JSON.parse(readFileSync(`${path}.json`, 'utf8')), ino: now.ino, mtimeMs: now.mtimeMs, size: s.size }),
    );

    const again = await cache.fetch(source, pin);
    expect(again.origin).toBe('download');
    expect(sha256(readFileSync(again.path))).toBe(pin);
  });
});
