/**
 * Lower bound of a cold start: one plain GetObject streamed to a file, a session from that
 * path, one run on the event's input. Nothing a real handler could skip.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { baselineImports, benchArgs, readEvent, report, runJsonBody, runMain, sinceStart, toSessionOptions } from './common';

runMain(async () => {
  const args = benchArgs<{ event: string; key: string; dir: string }>();
  const event = readEvent(args.event);
  const { started, imported, getObject, ort } = await baselineImports();
  const out = await getObject(args.key);
  mkdirSync(args.dir, { recursive: true });
  const path = join(args.dir, 'model.onnx');
  await pipeline(out.Body as Readable, createWriteStream(path));
  const session = await ort.InferenceSession.create(path, toSessionOptions());
  await runJsonBody(session, ort.Tensor, event.body as string);
  report({ elapsedMs: sinceStart(), bootMs: started, importMs: imported - started });
});
