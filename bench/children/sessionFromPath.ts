/**
 * Bare onnxruntime in a fresh process: a session from a local path and one run on the
 * event's input. The bound for a sandbox whose weights are already in /tmp, and the memory
 * reference for a cold start.
 */
import { benchArgs, readEvent, report, runJsonBody, runMain, sinceStart, toSessionOptions } from './common';

runMain(async () => {
  const args = benchArgs<{ event: string; path: string }>();
  const event = readEvent(args.event);
  const started = sinceStart();
  const ort = await import('onnxruntime-node');
  const imported = sinceStart();
  const session = await ort.InferenceSession.create(args.path, toSessionOptions());
  await runJsonBody(session, ort.Tensor, event.body as string);
  report({ elapsedMs: sinceStart(), bootMs: started, importMs: imported - started });
});
