/**
 * Lower bounds of a cold start for a model directory: plain GetObjects of the files a run needs
 * (`keys`, streamed to files in `dir`), a session from `graph` among them, one run of the
 * event's OIP JSON body (any FP32 / INT64 inputs). With `model.onnx` as the graph: the naive
 * bound; with the pre-optimised graph: the pre-optimised bound. With no keys: a bare session
 * from a file already on disk (a warm sandbox's bound).
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { InferenceSession } from 'onnxruntime-node';
import { baselineImports, benchArgs, readEvent, report, runMain, sinceStart, toSessionOptions } from './common';

runMain(async () => {
  const args = benchArgs<{ event: string; keys: string[]; dir: string; graph: string }>();
  const event = readEvent(args.event);
  const { started, imported, getObject, ort } = await baselineImports();
  mkdirSync(args.dir, { recursive: true });
  await Promise.all(
    args.keys.map(async (key) => {
      const out = await getObject(key);
      await pipeline(out.Body as Readable, createWriteStream(join(args.dir, key.split('/').pop() as string)));
    }),
  );
  const downloaded = sinceStart();
  const session = await ort.InferenceSession.create(join(args.dir, args.graph), toSessionOptions());
  const created = sinceStart();
  await run(session, event.body as string);
  report({
    elapsedMs: sinceStart(),
    bootMs: started,
    importMs: imported - started,
    downloadMs: downloaded - imported,
    createMs: created - downloaded,
    runMs: sinceStart() - created,
  });

  /** What a hand-written handler does with an OIP JSON body: parse, run, answer JSON. */
  async function run(s: InferenceSession, body: string): Promise<string> {
    const request = JSON.parse(body) as { inputs: Array<{ name: string; shape: number[]; datatype: string; data: number[] }> };
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const i of request.inputs) {
      feeds[i.name] =
        i.datatype === 'INT64'
          ? new ort.Tensor('int64', BigInt64Array.from(i.data.map(BigInt)), i.shape)
          : new ort.Tensor('float32', Float32Array.from(i.data), i.shape);
    }
    const results = await s.run(feeds);
    return JSON.stringify({
      outputs: Object.entries(results).map(([name, t]) => ({ name, shape: [...t.dims], data: Array.from(t.data as Float32Array) })),
    });
  }
});
