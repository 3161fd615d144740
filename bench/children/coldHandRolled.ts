/**
 * The handler found in many samples: GetObject, transformToByteArray(), a session from the
 * bytes, one run. The whole model sits in JS memory while onnxruntime builds its own copy.
 */
import { benchArgs, plainS3, readEvent, report, runJsonBody, sinceStart, toSessionOptions } from './common';

// CommonJS as Lambda loads a handler (an ESM bundle's `import 'node:http'` alone loads undici: ~40 ms).
async function main(): Promise<void> {
  const args = benchArgs<{ event: string; key: string }>();
  const event = readEvent(args.event);
  const started = sinceStart();
  const { getObject } = await plainS3();
  const ort = await import('onnxruntime-node');
  const imported = sinceStart();
  const out = await getObject(args.key);
  const bytes = await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
  const session = await ort.InferenceSession.create(bytes, toSessionOptions());
  await runJsonBody(session, ort.Tensor, event.body as string);
  report({ elapsedMs: sinceStart(), bootMs: started, importMs: imported - started });
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
