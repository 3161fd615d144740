import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  MANIFEST_FORMAT,
  MODEL_FILE_NAME,
  manifestSha256,
  serializeManifest,
  type ModelManifest,
} from '../../lib/core/sources/ModelManifest';
import type { ModelFacts } from '../../lib/tools/store/inspectModel';
import { encodeModel, writeModel } from './onnxModels';

/** y = x + constant, x and y float32 [n]: a model per constant, so a model answering for another shows. */
export function addConstantModel(constant: number): Uint8Array {
  return encodeModel({
    inputs: [['x', 'float32', ['n']]],
    outputs: [['y', 'float32', ['n']]],
    nodes: [{ opType: 'Add', input: ['x', 'c'], output: ['y'] }],
    initializers: [{ name: 'c', dataType: 1, dims: [], floatData: [constant] }],
  });
}

/**
 * An add-constant model written as a model directory under `root`, with the facts `onnxless push`
 * would upload (manifest and pin), without push's onnxruntime check and graph pre-optimisation:
 * a thousand of them are pushed in seconds. The CLI test pushes one through the real command.
 */
export function addConstantFacts(root: string, name: string, constant: number): ModelFacts {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const bytes = addConstantModel(constant);
  const from = writeModel(join(dir, MODEL_FILE_NAME), bytes);
  const file = { path: MODEL_FILE_NAME, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  const manifest: ModelManifest = { format: MANIFEST_FORMAT, model: MODEL_FILE_NAME, files: [file] };
  const manifestText = serializeManifest(manifest);
  return {
    files: [{ ...file, from }],
    optimizeSkipped: 'not written by the test generator',
    manifest,
    manifestText,
    sha256: manifestSha256(manifestText),
    size: bytes.length,
    inputs: ['x'],
    outputs: ['y'],
  };
}
