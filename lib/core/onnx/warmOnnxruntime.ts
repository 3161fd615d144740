import { onnxruntime } from './onnxruntime';

/**
 * The smallest graph onnxruntime loads: one Identity node over float[1] (opset 17), made with
 * onnx-proto; test/unit/sessions/warmOnnxruntime.test.ts makes it again and compares.
 */
export const IDENTITY_GRAPH_BASE64 = 'CAg6OgoQCgF4EgF5IghJZGVudGl0eRIEd2FybVoPCgF4EgoKCAgBEgQKAggBYg8KAXkSCgoICAESBAoCCAFCBAoAEBE=';

let warming: Promise<void> | undefined;

/**
 * Loads onnxruntime and readies its process-wide environment (logging, allocators, the first
 * session's setup: blocking native work, measured with --cpu-prof in docs/benchmarks.md, "Figures behind the code") by creating
 * and releasing a session of a one-node graph. A cold start calls it once the weights' bytes are
 * flowing, while the main thread would otherwise wait on the network, so the model's own session
 * starts from a ready runtime. Failures are left for the real session to report.
 */
export function warmOnnxruntime(): Promise<void> {
  warming ??= (async () => {
    const { InferenceSession } = onnxruntime();
    const session = await InferenceSession.create(Buffer.from(IDENTITY_GRAPH_BASE64, 'base64'), {
      graphOptimizationLevel: 'disabled',
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
    });
    await session.release();
  })().catch(() => undefined);
  return warming;
}
