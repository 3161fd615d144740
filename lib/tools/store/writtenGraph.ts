import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession } from 'onnxruntime-node';

/**
 * Where a pushed graph is optimised: content-addressed, so pushing the same model again reuses it.
 * Per user and private (0700, owned by this user, checked): a graph reused from here is hashed
 * into the manifest the operator pins, so nobody else may plant one in advance.
 */
const GRAPHS_DIR = join(tmpdir(), `onnxless-graphs-${process.getuid?.() ?? 'user'}`);

async function privateGraphsDir(): Promise<string> {
  await mkdir(GRAPHS_DIR, { recursive: true, mode: 0o700 });
  const info = await stat(GRAPHS_DIR);
  const uid = process.getuid?.();
  if (!info.isDirectory() || (uid !== undefined && info.uid !== uid) || (info.mode & 0o077) !== 0) {
    throw new Error(`${GRAPHS_DIR} is not a private folder of this user: remove it`);
  }
  return GRAPHS_DIR;
}

/**
 * `modelPath` as onnxruntime writes it under `options` (`optimizedModelFilePath`), kept in the
 * private graphs folder as `name` (content-addressed by the caller): written once, reused by every
 * later push of the same model. Throws onnxruntime's error when it cannot write it.
 */
export async function writtenGraph(modelPath: string, name: string, options: InferenceSession.SessionOptions): Promise<string> {
  const from = join(await privateGraphsDir(), name);
  if (await stat(from).catch(() => undefined)) return from;
  const temp = `${from}.partial-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    const session = await InferenceSession.create(modelPath, { ...options, optimizedModelFilePath: temp, logSeverityLevel: 3 });
    await session.release();
    await rename(temp, from);
    return from;
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
