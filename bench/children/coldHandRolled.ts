/**
 * The handler found in many samples: GetObject, transformToByteArray(), a session from the
 * bytes, one run. The whole model sits in JS memory while onnxruntime builds its own copy.
 */
import { baselineImports, benchArgs, readEvent, report, runJsonBody, runMain, sinceStart, toSessionOptions } from './common';

runMain(async () => {
  const args = benchArgs<{ event: string; key: string }>();
  const event = readEvent(args.event);
  const { started, imported, getObject, ort } = await baselineImports();
  const out = await getObject(args.key);
  const bytes = await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
  const session = await ort.InferenceSession.create(bytes, toSessionOptions());
  await runJsonBody(session, ort.Tensor, event.body as string);
  report({ elapsedMs: sinceStart(), bootMs: started, importMs: imported - started });
});
