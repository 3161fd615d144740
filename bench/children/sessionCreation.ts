/**
 * Session creation alone in a fresh process, as a cold start meets it: onnxruntime loaded and
 * its environment readied first (warmOnnxruntime, as the loader does during the download), then
 * one session from `path` with the function's default options (level `all`), timed.
 */
import { warmOnnxruntime } from '../../lib/core/onnx/warmOnnxruntime';
import { benchArgs, report, runMain, sinceStart, toSessionOptions } from './common';

runMain(async () => {
  const args = benchArgs<{ path: string }>();
  const ort = await import('onnxruntime-node');
  await warmOnnxruntime();
  const before = sinceStart();
  const session = await ort.InferenceSession.create(args.path, toSessionOptions());
  const createMs = sinceStart() - before;
  await session.release();
  report({ elapsedMs: createMs, createMs });
});
