/**
 * The handler found in many samples: GetObject, transformToByteArray(), a session from the
 * bytes, one run. The whole model sits in JS memory while onnxruntime builds its own copy.
 */
import { benchArgs, plainS3, readEvent, report, runJsonBody, sinceStart, toSessionOptions } from './common';

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
