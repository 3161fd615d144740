/**
 * Baseline (issue 29): a single-model function (the generic tensor handler) started cold in this
 * fresh process for the same model: its first answer from process start, then `warmup` requests
 * untimed (V8 optimises the request path after some tens of calls: a warm function's steady
 * state, as a Lambda sandbox serving traffic reaches it), then `hits` requests timed.
 */
import { benchArgs, report, runMain, sinceStart } from './common';
import { inferEventOf } from '../lib/repositoryEvents';

runMain(async () => {
  const args = benchArgs<{ model: string; hits: number; warmup: number }>();
  const { handler } = await import('../../lib/lambda/tensorHandler');
  const call = async (): Promise<void> => {
    const result = (await handler(inferEventOf(args.model))) as { statusCode: number; body: string };
    if (result.statusCode !== 200) throw new Error(`the function answered ${result.statusCode}: ${result.body.slice(0, 300)}`);
  };
  await call();
  const firstMs = sinceStart();
  for (let i = 0; i < args.warmup; i++) await call();
  const hitMs: number[] = [];
  for (let i = 0; i < args.hits; i++) {
    const started = performance.now();
    await call();
    hitMs.push(performance.now() - started);
  }
  report({ elapsedMs: firstMs, hitMs, rssBytes: process.memoryUsage().rss });
});
