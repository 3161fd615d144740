import { stat } from 'node:fs/promises';
import { hashFiles } from '../../core/cache/hashFiles';
import { onnxruntimeVersion } from '../../core/onnx/onnxruntime';
import type { OrtModel } from '../../core/sources/ModelManifest';
import { writtenGraph } from './writtenGraph';

/** Beside model.onnx in the model directory. */
export const ORT_FILE_NAME = 'model.ort';

export type OrtOutcome = { model: OrtModel & { from: string } } | { skipped: string };

/**
 * The model in onnxruntime's ORT format, written by onnxruntime itself: an `optimizedModelFilePath`
 * with the session config entry `session.save_model_format = ORT`, which onnxruntime-node passes
 * on from `extra.session`. Level `extended`, the portable one (`all` would record this machine's
 * NCHWc layouts; the function's onnxruntime adds them when it creates the session at `all`).
 *
 * Not deterministic: onnxruntime 1.30 writes a few hundred bytes differently each time, so the
 * file is kept by the model's sha256 in the private graphs folder and a second push of the same
 * model reuses it (and keeps its pin). The ORT format holds every initializer inline.
 */
export async function writeOrtModel(modelPath: string, modelSha256: string, listed: ReadonlySet<string>): Promise<OrtOutcome> {
  if (listed.has(ORT_FILE_NAME)) return { skipped: `the directory already holds a file named ${ORT_FILE_NAME}` };
  const onnxruntime = onnxruntimeVersion();
  const level = 'extended' as const;
  let from: string;
  try {
    from = await writtenGraph(modelPath, `${modelSha256}-${onnxruntime}-${level}.ort`, {
      graphOptimizationLevel: level,
      extra: { session: { save_model_format: 'ORT' } },
    });
  } catch (err) {
    return { skipped: `onnxruntime could not write the ORT-format model: ${(err as Error).message.split('\n')[0]}` };
  }
  const { size } = await stat(from);
  const [sha256] = await hashFiles([from], size);
  return { model: { path: ORT_FILE_NAME, size, sha256: sha256 as string, onnxruntime, level, from } };
}
