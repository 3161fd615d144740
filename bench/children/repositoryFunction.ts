/**
 * Candidate (issue 29): a warm repository function (onnxless/lambda/repository, configured by
 * environment as on Lambda). One request to `warmModel` warms it (index read, onnxruntime
 * loaded); then the first request to `coldModel` (its cold load: directory fetched, pin checked,
 * session created), `warmup` requests to it untimed (the same steady state as the baseline's),
 * `hits` requests to it timed, and the RSS the next `residentModels` take once
 * loaded, per model.
 *
 * With `pairedSingle`, the baseline's hits are timed here too: the single-model function's
 * handler (the generic tensor handler, configured by its own ONNXLESS_MODEL_* variables) loaded
 * in this process, warmed as much, and its calls alternated with the repository's. A process's
 * warm calls settle in one of two speeds (~0.09 or ~0.24 ms a call in the 20:39 run, on either
 * side, for reasons not found): hits timed in separate processes compared the draw of the modes,
 * not the functions.
 */
import { benchArgs, report, runMain } from './common';
import { inferEventOf } from '../lib/repositoryEvents';

runMain(async () => {
  const args = benchArgs<{
    warmModel: string;
    coldModel: string;
    hits: number;
    warmup: number;
    residentModels: string[];
    pairedSingle?: boolean;
  }>();
  type Handler = (event: unknown) => Promise<unknown>;
  /** One timed call of `fn` for `model`; anything but a 200 stops the run. */
  const timed = async (fn: Handler, who: string, model: string): Promise<number> => {
    const started = performance.now();
    const result = (await fn(inferEventOf(model))) as { statusCode: number; body: string };
    if (result.statusCode !== 200) throw new Error(`${model}: ${who} answered ${result.statusCode}: ${result.body.slice(0, 300)}`);
    return performance.now() - started;
  };
  const { handler } = await import('../../lib/lambda/repositoryHandler');
  const call = (model: string) => timed(handler as Handler, 'the repository', model);
  await call(args.warmModel);
  const coldLoadMs = await call(args.coldModel);
  for (let i = 0; i < args.warmup; i++) await call(args.coldModel);
  const single = args.pairedSingle ? (await import('../../lib/lambda/tensorHandler')).handler : undefined;
  const callSingle = () => timed(single as Handler, 'the single-model function', args.coldModel);
  if (single) for (let i = 0; i <= args.warmup; i++) await callSingle();
  const hitMs: number[] = [];
  const singleHitMs: number[] = [];
  for (let i = 0; i < args.hits; i++) {
    hitMs.push(await call(args.coldModel));
    if (single) singleHitMs.push(await callSingle());
  }
  global.gc?.();
  const before = process.memoryUsage().rss;
  for (const model of args.residentModels) await call(model);
  global.gc?.();
  const rssPerModelBytes = (process.memoryUsage().rss - before) / Math.max(1, args.residentModels.length);
  report({ elapsedMs: coldLoadMs, hitMs, rssPerModelBytes, ...(single ? { singleHitMs } : {}) });
});
