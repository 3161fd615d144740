/**
 * Lower bound of a cold start: one plain GetObject streamed to a file, a session from that
 * path, one run on the event's input. Nothing a real handler could skip.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { benchArgs, plainS3, readEvent, report, runJsonBody, sinceStart, toSessionOptions } from './common';

// CommonJS as Lambda loads a handler (an ESM bundle's `import 'node:http'` alone loads undici: ~40 ms).
async function main(): Promise<void> {
  const args = benchArgs<{ event: string; key: string; dir: string }>();
  const event = readEvent(args.event);
  const started = sinceStart();
  const { getObject } = await plainS3();
  const ort = await import('onnxruntime-node');
  const imported = sinceStart();
  const out = await getObject(args.key);
  mkdirSync(args.dir, { recursive: true });
  const path = join(args.dir, 'model.onnx');
  await pipeline(out.Body as Readable, createWriteStream(path));
  const session = await ort.InferenceSession.create(path, toSessionOptions());
  await runJsonBody(session, ort.Tensor, event.body as string);
  report({ elapsedMs: sinceStart(), bootMs: started, importMs: imported - started });
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
