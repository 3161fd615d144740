/**
 * One download in a fresh process (cold connections): onnxless's WeightsCache (ranged and
 * parallel above its threshold, sha256-verified) or one plain GetObject streamed to a file.
 * Times the download alone.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { benchArgs, plainS3, report, runMain, s3Env } from './common';

runMain(async () => {
  const args = benchArgs<{
    mode: 'ranged' | 'single';
    key: string;
    dir: string;
    sha256: string;
    partBytes?: number;
    concurrency?: number;
  }>();
  const { bucket } = s3Env();
  mkdirSync(args.dir, { recursive: true });
  let extra: Record<string, unknown> = {};
  let started: number;
  if (args.mode === 'ranged') {
    const { WeightsCache } = await import('../../lib/core/cache/WeightsCache');
    const { S3ModelSource } = await import('../../lib/core/sources/S3ModelSource');
    const cache = new WeightsCache({ dir: args.dir, partBytes: args.partBytes, concurrency: args.concurrency });
    // The deployed handler's transport: the signed GET with the environment's credentials.
    const source = new S3ModelSource(bucket, args.key);
    // Module loading stays out of the download's time on both sides (the baseline's SDK is loaded
    // before its clock starts): the signed GET loads node:http with its first request.
    process.getBuiltinModule('node:http');
    started = performance.now();
    const weights = await cache.fetch(source, args.sha256);
    const downloaded = performance.now();
    // What hashing by one sequential read after the download would have added instead.
    const { sha256OfFile } = await import('../../lib/core/cache/sha256OfFile');
    const before = performance.now();
    await sha256OfFile(weights.path);
    extra = {
      requests: weights.attempts,
      parts: weights.parts,
      ...weights.diagnostics,
      sequentialHashMs: performance.now() - before,
      doneMs: downloaded,
    };
  } else {
    const { getObject } = await plainS3();
    started = performance.now();
    const out = await getObject(args.key);
    await pipeline(out.Body as Readable, createWriteStream(join(args.dir, 'model.onnx')));
  }
  report({ elapsedMs: performance.now() - started, ...extra });
});
