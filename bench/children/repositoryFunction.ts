/**
 * Candidate (issue 29): a warm repository function (onnxless/lambda/repository, configured by
 * environment as on Lambda). One request to `warmModel` warms it (index read, onnxruntime
 * loaded); then the first request to `coldModel` (its cold load: directory fetched, pin checked,
 * session created), `warmup` requests to it untimed (the same steady state as the baseline's),
 * `hits` requests to it timed, and the RSS the next `residentModels` take once
 * loaded, per model.
 */
import { benchArgs, report, runMain } from './common';
import { inferEventOf } from '../lib/repositoryEvents';

runMain(async () => {
  const args = benchArgs<{ warmModel: string; coldModel: string; hits: number; warmup: number; residentModels: string[] }>();
  const { handler } = await import('../../lib/lambda/repositoryHandler');
  const call = async (model: string): Promise<number> => {
    const started = performance.now();
    const result = (await handler(inferEventOf(model))) as { statusCode: number; body: string };
    if (result.statusCode !== 200) throw new Error(`${model}: the repository answered ${result.statusCode}: ${result.body.slice(0, 300)}`);
    return performance.now() - started;
  };
  await call(args.warmModel);
  const coldLoadMs = await call(args.coldModel);
  for (let i = 0; i < args.warmup; i++) await call(args.coldModel);
  const hitMs: number[] = [];
  for (let i = 0; i < args.hits; i++) hitMs.push(await call(args.coldModel));
  global.gc?.();
  const before = process.memoryUsage().rss;
  for (const model of args.residentModels) await call(model);
  global.gc?.();
  const rssPerModelBytes = (process.memoryUsage().rss - before) / Math.max(1, args.residentModels.length);
  report({ elapsedMs: coldLoadMs, hitMs, rssPerModelBytes });
});
