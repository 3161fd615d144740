import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, openSync, rmSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { MANIFEST_NAME, serializeManifest } from '../../lib/core/sources/ModelManifest';
import { onnx } from '../../lib/tools/train/onnxProto';
import { httpApiEvent } from '../../test/support/httpApiEvent';
import { encodeModel } from '../../test/support/onnxModels';
import { runChild, type ChildName, type ChildResult } from '../lib/children';
import { CACHE_DIR } from '../lib/models';
import { row, side, type Log, type Row } from '../lib/rows';
import { BUCKET, MODEL_NAME, type World } from '../lib/world';

/**
 * A model over 2 GB keeps its weights outside the protobuf (protobuf's 2 GiB limit): here an
 * embedding table E [1,050,000 x 512] float32 (2.15 GB) in `weights.bin` beside model.onnx, read
 * by a Gather. Its cold start from S3 through the generic handler (model directory, pinned:
 * ranged download, hashing, assembly, session) against the bare lower bound (ranged download of
 * both files, a session from model.onnx's path). Then the same model found in the cache: the
 * handler (hashing every file before first use, while the session is created) against a bare
 * session from the path: the cost of verifying a pinned model from the cache at this size.
 * The generated files are deleted at the end.
 */
const ROWS = 1_050_000;
const DIM = 512;
const INDICES = [0, 7, 524_288, ROWS - 1];
const PREFIX = 'external/1/';

interface Generated {
  dir: string;
  files: Array<{ path: string; size: number; sha256: string; from: string }>;
  pin: string;
  event: string;
}

export async function externalDataScenario(world: World, reps: number, log: Log): Promise<Row[]> {
  const model = await generate(log);
  try {
    await upload(world, model, log);
    const handlerEnv = (cacheDir: string): Record<string, string> => ({
      ...world.s3Env(),
      ONNXLESS_MODEL_NAME: MODEL_NAME,
      ONNXLESS_MODEL_URI: `s3://${BUCKET}/${PREFIX}`,
      ONNXLESS_MODEL_SHA256: model.pin,
      ONNXLESS_CACHE_DIR: cacheDir,
    });
    const lowerArgs = (dir: string, download: boolean) => ({
      dir,
      indices: INDICES,
      ...(download ? { prefix: PREFIX, files: model.files.map(({ path, size }) => ({ path, size })) } : {}),
    });
    const cold = { handler: [] as ChildResult[], lower: [] as ChildResult[] };
    const cached = { handler: [] as ChildResult[], lower: [] as ChildResult[] };
    for (let rep = 0; rep < reps; rep++) {
      const cacheDir = world.scratch();
      const lowerDir = world.scratch();
      try {
        const order: Array<() => Promise<void>> = [
          async () =>
            void cold.handler.push(
              await measure(log, 'cold onnxless handler', 'coldHandler', { event: model.event }, handlerEnv(cacheDir)),
            ),
          async () =>
            void cold.lower.push(await measure(log, 'cold lower bound', 'coldRangedLowerBound', lowerArgs(lowerDir, true), world.s3Env())),
        ];
        for (const step of rep % 2 === 0 ? order : order.reverse()) await step();
        // The same files now on disk: what a restarted process (or a retry after a crash) finds.
        const warm: Array<() => Promise<void>> = [
          async () =>
            void cached.handler.push(
              await measure(log, 'cached onnxless handler', 'coldHandler', { event: model.event }, handlerEnv(cacheDir)),
            ),
          async () =>
            void cached.lower.push(await measure(log, 'cached session from path', 'coldRangedLowerBound', lowerArgs(lowerDir, false), {})),
        ];
        for (const step of rep % 2 === 0 ? warm : warm.reverse()) await step();
      } finally {
        world.cleanup(cacheDir);
        world.cleanup(lowerDir);
      }
    }
    const ms = (xs: ChildResult[]): number[] => xs.map((x) => x.elapsedMs);
    const mb = (xs: ChildResult[]): number[] => xs.map((x) => x.maxRssKb / 1024);
    const base = { scenario: 'external-data', model: `embedding ${(bytesOf(model) / 1e9).toFixed(2)} GB` };
    return [
      row({
        ...base,
        metric: 'cold first response from S3 (model directory, pinned)',
        unit: 'ms',
        candidate: side('onnxless handler', ms(cold.handler)),
        baseline: side('ranged download + session from path', ms(cold.lower)),
        target: 'ratio <= 1.10',
        check: (r) => r.ratio <= 1.1,
      }),
      row({
        ...base,
        metric: 'cold peak RSS',
        unit: 'MB',
        candidate: side('onnxless handler', mb(cold.handler)),
        baseline: side('ranged download + session from path', mb(cold.lower)),
      }),
      row({
        ...base,
        metric: 'first response with the model in the cache (pin verified before use)',
        unit: 'ms',
        candidate: side('onnxless handler', ms(cached.handler)),
        baseline: side('session from path, no verification', ms(cached.lower)),
      }),
    ];
  } finally {
    rmSync(model.dir, { recursive: true, force: true });
  }
}

async function measure(log: Log, label: string, child: ChildName, args: object, env: Record<string, string>): Promise<ChildResult> {
  const result = await runChild(child, args, env, 900_000);
  log(`external-data ${label}: ${result.elapsedMs.toFixed(0)} ms, peak RSS ${(result.maxRssKb / 1024).toFixed(0)} MB`);
  return result;
}

function bytesOf(model: Generated): number {
  return model.files.reduce((sum, f) => sum + f.size, 0);
}

/** Writes model.onnx (a Gather over an external initializer) and weights.bin, streaming, and hashes both. */
async function generate(log: Log): Promise<Generated> {
  const dir = join(CACHE_DIR, 'external-data');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const bytes = ROWS * DIM * 4;
  const graph = encodeModel({
    inputs: [['indices', 'int64', [1, 'n']]],
    outputs: [['rows', 'float32', [1, 'n', DIM]]],
    nodes: [{ opType: 'Gather', input: ['E', 'indices'], output: ['rows'] }],
    initializers: [
      {
        name: 'E',
        dataType: 1,
        dims: [ROWS, DIM],
        dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [
          { key: 'location', value: 'weights.bin' },
          { key: 'offset', value: '0' },
          { key: 'length', value: String(bytes) },
        ],
      },
    ],
  });
  writeFileSync(join(dir, 'model.onnx'), graph);
  // 32 MiB of varied floats, repeated: content does not matter to the timings, only size.
  const chunk = new Float32Array(8 * 1024 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = Math.sin(i * 0.001);
  const block = Buffer.from(chunk.buffer);
  const fd = openSync(join(dir, 'weights.bin'), 'w');
  for (let written = 0; written < bytes;) {
    const n = Math.min(block.length, bytes - written);
    writeSync(fd, block, 0, n, written);
    written += n;
  }
  closeSync(fd);
  const files = [];
  for (const path of ['model.onnx', 'weights.bin']) {
    const from = join(dir, path);
    files.push({ path, from, size: statSync(from).size, sha256: await sha256(from) });
  }
  const manifest = serializeManifest({ model: 'model.onnx', files: files.map(({ path, size, sha256: s }) => ({ path, size, sha256: s })) });
  writeFileSync(join(dir, MANIFEST_NAME), manifest);
  const event = join(dir, 'event.json');
  writeFileSync(
    event,
    JSON.stringify(
      httpApiEvent('POST', `/v2/models/${MODEL_NAME}/infer`, {
        body: JSON.stringify({ inputs: [{ name: 'indices', shape: [1, INDICES.length], datatype: 'INT64', data: INDICES }] }),
      }),
    ),
  );
  log(`external-data: generated ${(bytes / 1e9).toFixed(2)} GB of external data`);
  return { dir, files, pin: createHash('sha256').update(manifest).digest('hex'), event };
}

async function upload(world: World, model: Generated, log: Log): Promise<void> {
  for (const file of [
    ...model.files,
    { path: MANIFEST_NAME, from: join(model.dir, MANIFEST_NAME), size: statSync(join(model.dir, MANIFEST_NAME)).size },
  ]) {
    await world.s3.setupClient.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}${file.path}`, Body: createReadStream(file.from), ContentLength: file.size }),
    );
  }
  log('external-data: uploaded to the local S3 server');
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
