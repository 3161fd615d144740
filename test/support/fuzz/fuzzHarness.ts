import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { LoadRecord, ObservabilitySink, RequestRecord } from '../../../lib/core/observability/records';
import type { Result } from '../httpApiEvent';

/** A sink that counts (a RecordingSink would grow with every fuzzed request and skew RSS). */
export class CountingSink implements ObservabilitySink {
  readonly byStatus = new Map<number, number>();
  requests = 0;
  loads = 0;
  onRequest(record: RequestRecord): void {
    this.requests += 1;
    this.byStatus.set(record.status, (this.byStatus.get(record.status) ?? 0) + 1);
  }
  onLoad(_record: LoadRecord): void {
    this.loads += 1;
  }
}

/** What every answer to any request must be, however broken the request. */
export function assertWellFormed(result: Result): void {
  if (typeof result?.statusCode !== 'number') throw new Error(`not an HTTP result: ${JSON.stringify(result)?.slice(0, 200)}`);
  if (result.statusCode >= 500) throw new Error(`5xx: ${result.statusCode} ${result.body.slice(0, 300)}`);
  if (!result.headers?.['server-timing']) throw new Error('no Server-Timing header');
  if (result.statusCode >= 400) {
    const text = result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body;
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error !== 'string' || body.error === '') throw new Error(`error body without a message: ${text.slice(0, 200)}`);
  }
}

/** Unhandled rejections and uncaught exceptions while `fn` runs (vitest would also fail the file). */
export async function watchingProcess<T>(fn: () => Promise<T>): Promise<{ value: T; unhandled: unknown[] }> {
  const unhandled: unknown[] = [];
  const onRejection = (reason: unknown) => unhandled.push(reason);
  const onException = (err: unknown) => unhandled.push(err);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  try {
    const value = await fn();
    // Let stray promises settle, so a late rejection is seen here.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { value, unhandled };
  } finally {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  }
}

let gc: (() => void) | undefined;
/**
 * RSS and live JS heap in MB after full garbage collections (V8's gc exposed for this only).
 * RSS is what the Lambda memory limit sees, but V8 keeps freed heap pages for a while, so it
 * jitters by tens of MB between runs; the live heap is the sharper leak detector.
 */
export function settledMemoryMb(): { rss: number; heap: number } {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  gc();
  const { rss, heapUsed, external } = process.memoryUsage();
  return { rss: rss / (1024 * 1024), heap: (heapUsed + external) / (1024 * 1024) };
}

/** Figures a fuzz run reports (printed, and copied into docs/operations.md). */
export interface FuzzFigures {
  surface: string;
  requests: number;
  byStatus: Record<string, number>;
  rssGrowthMb: number;
  heapGrowthMb: number;
  seconds: number;
}

export function summarize(surface: string, sink: CountingSink, growth: { rss: number; heap: number }, seconds: number): FuzzFigures {
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    surface,
    requests: sink.requests,
    byStatus: Object.fromEntries([...sink.byStatus.entries()].sort(([a], [b]) => a - b).map(([s, n]) => [String(s), n])),
    rssGrowthMb: round(growth.rss),
    heapGrowthMb: round(growth.heap),
    seconds: round(seconds),
  };
}

/** `after - before`, field by field. */
export function growth(before: { rss: number; heap: number }, after: { rss: number; heap: number }): { rss: number; heap: number } {
  return { rss: after.rss - before.rss, heap: after.heap - before.heap };
}

/** fast-check parameters: a seed from FUZZ_SEED replays a run; otherwise every run explores anew. */
export function fuzzParameters(numRuns: number): { numRuns: number; seed?: number } {
  const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
  return { numRuns, ...(seed === undefined ? {} : { seed }) };
}
