import { createReadStream, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { httpApiEvent } from '../../test/support/httpApiEvent';
import { startLocalS3, TEST_CREDENTIALS, type LocalS3 } from '../../test/support/localS3';
import { CACHE_DIR, inputData, type BenchModel, type ModelName } from './models';

export const BUCKET = 'models';
export const MODEL_NAME = 'bench';

/** The local S3 server with every model in it, the events, and scratch space. */
export interface World {
  s3: LocalS3;
  models: Record<ModelName, BenchModel>;
  events: Record<ModelName, { json: string; binary: string }>;
  keyOf(model: BenchModel): string;
  /** Environment a child needs to reach the store (through the counting proxy). */
  s3Env(): Record<string, string>;
  /** The generic handler's configuration, as on Lambda. */
  handlerEnv(model: BenchModel, cacheDir: string): Record<string, string>;
  /** A fresh scratch folder, removed by `cleanup`. */
  scratch(): string;
  cleanup(path: string): void;
  close(): Promise<void>;
}

export async function startWorld(models: Partial<Record<ModelName, BenchModel>>): Promise<World> {
  const s3 = await startLocalS3([BUCKET]);
  // A folder of this run's own: benches started at once in one checkout each remove only theirs
  // (one shared `runs/`, emptied at every start and end, removed a running child's cache under it:
  // ENOENT renaming the manifest it was writing). Folders of runs that died are removed at a start.
  const all = join(CACHE_DIR, 'runs');
  removeDeadRuns(all);
  const runs = join(all, String(process.pid));
  rmSync(runs, { recursive: true, force: true });
  mkdirSync(runs, { recursive: true });
  const keyOf = (m: BenchModel): string => `${m.name}/1/model.onnx`;
  const events = {} as World['events'];
  // Bigger steps through the proxy: its one thread forwards 8 capped connections at once.
  s3.proxy.sliceBytes = 64 * 1024;
  for (const model of Object.values(models)) {
    // Streamed, not read into memory: a child's peak RSS must not depend on this process's.
    await s3.setupClient.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: keyOf(model), Body: createReadStream(model.path), ContentLength: model.bytes }),
    );
    events[model.name] = writeEvents(model);
  }
  const s3Env = (): Record<string, string> => ({
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    BENCH_BUCKET: BUCKET,
  });
  return {
    s3,
    models: models as Record<ModelName, BenchModel>,
    events,
    keyOf,
    s3Env,
    handlerEnv(model, cacheDir) {
      return {
        ...s3Env(),
        ONNXLESS_MODEL_NAME: MODEL_NAME,
        ONNXLESS_MODEL_URI: `s3://${BUCKET}/${keyOf(model)}`,
        ONNXLESS_MODEL_SHA256: model.sha256,
        ONNXLESS_CACHE_DIR: cacheDir,
      };
    },
    scratch: () => {
      const dir = join(runs, randomUUID());
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    cleanup: (path) => rmSync(path, { recursive: true, force: true }),
    close: async () => {
      await s3.close();
      rmSync(runs, { recursive: true, force: true });
    },
  };
}

/** Run folders (`runs/<pid>`) whose process is gone, and what older benches left there; a live run's folder is its own to remove. */
function removeDeadRuns(all: string): void {
  let names: string[];
  try {
    names = readdirSync(all);
  } catch {
    return;
  }
  for (const name of names) if (!isAlive(Number(name))) rmSync(join(all, name), { recursive: true, force: true });
}

function isAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive, another user's.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One JSON and one binary-tensor infer event per model, as API Gateway delivers them. */
function writeEvents(model: BenchModel): { json: string; binary: string } {
  const dir = join(CACHE_DIR, 'events');
  mkdirSync(dir, { recursive: true });
  const data = inputData(model);
  const { name, shape } = model.input;
  const json = httpApiEvent('POST', `/v2/models/${MODEL_NAME}/infer`, {
    body: JSON.stringify({ id: 'bench', inputs: [{ name, shape, datatype: 'FP32', data: Array.from(data) }] }),
  });
  const raw = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const header = Buffer.from(
    JSON.stringify({
      id: 'bench',
      inputs: [{ name, shape, datatype: 'FP32', parameters: { binary_data_size: raw.length } }],
      parameters: { binary_data_output: true },
    }),
  );
  const binary = httpApiEvent('POST', `/v2/models/${MODEL_NAME}/infer`, {
    body: Buffer.concat([header, raw]),
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
  });
  const paths = { json: join(dir, `${model.name}.json`), binary: join(dir, `${model.name}.binary.json`) };
  writeFileSync(paths.json, JSON.stringify(json));
  writeFileSync(paths.binary, JSON.stringify(binary));
  return paths;
}
