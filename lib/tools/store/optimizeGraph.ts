import { readFile, stat } from 'node:fs/promises';
import { hashFiles } from '../../core/cache/hashFiles';
import type { OptimizedGraph } from '../../core/sources/ModelManifest';
import { onnxruntimeVersion } from '../../core/onnx/onnxruntime';
import { onnx } from '../train/onnxProto';
import { writtenGraph } from './writtenGraph';

/** Beside model.onnx, so the external-data paths it names resolve from it as from the original. */
export const OPTIMIZED_FILE_NAME = 'model.extended.onnx';

export type OptimizeOutcome = { graph: OptimizedGraph & { from: string } } | { skipped: string };

/**
 * The model's graph optimised by onnxruntime at level `extended` (constant folding, fusions;
 * no hardware-specific layout, which `all` would add), written with `optimizedModelFilePath`.
 * Deterministic for a given model and onnxruntime version, so the manifest and its pin are too.
 *
 * External data: onnxruntime writes the optimised graph with the initializers it did not
 * change still pointing at their files (by the same relative paths); the ones a fusion made
 * are stored inline. The graph is shipped only when every file it points at is one of the
 * model's files, and it fails to write (and is skipped) when the inline part passes
 * protobuf's 2 GB limit.
 */
export async function optimizeGraph(modelPath: string, modelSha256: string, listed: ReadonlySet<string>): Promise<OptimizeOutcome> {
  if (listed.has(OPTIMIZED_FILE_NAME)) return { skipped: `the directory already holds a file named ${OPTIMIZED_FILE_NAME}` };
  const onnxruntime = onnxruntimeVersion();
  const level = 'extended' as const;
  let from: string;
  try {
    from = await writtenGraph(modelPath, `${modelSha256}-${onnxruntime}-${level}.onnx`, { graphOptimizationLevel: level });
  } catch (err) {
    return { skipped: `onnxruntime could not write the optimised graph: ${(err as Error).message.split('\n')[0]}` };
  }
  const outside = externalPaths(await readFile(from)).filter((p) => !listed.has(p));
  if (outside.length > 0) return { skipped: `the optimised graph points at files the model does not hold: ${outside.join(', ')}` };
  const { size } = await stat(from);
  const [sha256] = await hashFiles([from], size);
  return { graph: { path: OPTIMIZED_FILE_NAME, size, sha256: sha256 as string, onnxruntime, level, from } };
}

/** The external-data files a graph's initializers name (TensorProto.DataLocation EXTERNAL = 1). */
function externalPaths(bytes: Uint8Array): string[] {
  const model = onnx.ModelProto.decode(bytes);
  const paths = new Set<string>();
  for (const tensor of model.graph?.initializer ?? []) {
    if (tensor.dataLocation !== 1) continue;
    const location = tensor.externalData?.find((e) => e.key === 'location')?.value;
    if (location) paths.add(location);
  }
  return [...paths];
}
