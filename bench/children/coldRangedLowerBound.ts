/**
 * Lower bound of a cold start for a model directory: every file fetched with parallel ranged
 * GETs (8 MiB parts, 8 in flight, positional writes, no hashing, no retries), then a session
 * from model.onnx's path (onnxruntime reads the external data beside it) and one run. With
 * `path` set it skips the download: a session from files already on disk, the bound for a
 * process that finds the model in its cache.
 */
import { mkdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { benchArgs, plainS3, report, runMain, sinceStart, toSessionOptions } from './common';

runMain(async () => {
  const PART = 8 * 1024 * 1024;
  const CONCURRENCY = 8;

  const args = benchArgs<{ prefix?: string; files?: Array<{ path: string; size: number }>; dir: string; indices: number[] }>();
  const started = sinceStart();
  const ort = await import('onnxruntime-node');
  if (args.prefix !== undefined && args.files) {
    const { getObject } = await plainS3();
    mkdirSync(args.dir, { recursive: true });
    for (const file of args.files) {
      const handle = await open(join(args.dir, file.path), 'w');
      const parts: Array<[number, number]> = [];
      for (let at = 0; at < file.size; at += PART) parts.push([at, Math.min(file.size, at + PART) - 1]);
      const next = async (): Promise<void> => {
        for (let part = parts.shift(); part; part = parts.shift()) {
          const out = await getObject(`${args.prefix}${file.path}`, `bytes=${part[0]}-${part[1]}`);
          let at = part[0];
          for await (const chunk of out.Body as AsyncIterable<Buffer>) {
            await handle.write(chunk, 0, chunk.length, at);
            at += chunk.length;
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, next));
      await handle.close();
    }
  }
  const downloaded = sinceStart();
  const session = await ort.InferenceSession.create(join(args.dir, 'model.onnx'), toSessionOptions());
  const indices = new ort.Tensor('int64', BigInt64Array.from(args.indices.map(BigInt)), [1, args.indices.length]);
  await session.run({ [session.inputNames[0] as string]: indices });
  report({ elapsedMs: sinceStart(), bootMs: started, downloadMs: downloaded - started });
});
