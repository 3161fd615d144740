import { stat } from 'node:fs/promises';
import { InferenceSession } from 'onnxruntime-node';
import { sha256OfFile } from '../cache/sha256OfFile';

export interface OnnxFileFacts {
  path: string;
  size: number;
  sha256: string;
  inputs: string[];
  outputs: string[];
}

export class InvalidModelFileError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'InvalidModelFileError';
  }
}

/**
 * Checks a file is a model onnxruntime can load (the only test that matters before a
 * deploy), and measures its size and sha256, streaming: the file is never held in JS memory.
 */
export async function inspectOnnxFile(path: string): Promise<OnnxFileFacts> {
  const info = await stat(path).catch((err: unknown) => {
    throw new InvalidModelFileError(`no such file: ${path}`, { cause: err });
  });
  if (!info.isFile()) throw new InvalidModelFileError(`not a file: ${path}`);
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(path, { graphOptimizationLevel: 'disabled' });
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0];
    throw new InvalidModelFileError(`${path} is not a valid ONNX model: ${reason}`, { cause: err });
  }
  const facts = { inputs: [...session.inputNames], outputs: [...session.outputNames] };
  await session.release();
  return { path, size: info.size, sha256: await sha256OfFile(path), ...facts };
}
