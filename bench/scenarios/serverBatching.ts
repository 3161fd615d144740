import { measureBatching, parseArgs } from '../server/throughput';
import { row, side, type Log, type Row } from '../lib/rows';

/**
 * The container server (`onnxless serve`, a real process) under 32 closed-loop clients, one
 * row per request, a 4096-wide MLP: dynamic batching on against off. Targets (issue 7):
 * throughput >= 2x at a p99 no worse than 2x; /ping p99 under that load is reported.
 * Each repetition measures both modes; the rows carry the per-repetition values.
 */
export async function serverBatchingScenario(_world: unknown, reps: number, log: Log): Promise<Row[]> {
  const options = { ...parseArgs([]), seconds: 8 };
  const results = [];
  for (let i = 0; i < reps; i++) {
    const r = await measureBatching(options);
    log(
      `server-batching rep ${i + 1}/${reps}: off ${r.off.rps.toFixed(0)} req/s p99 ${r.off.p99.toFixed(1)} ms; on ${r.on.rps.toFixed(0)} req/s p99 ${r.on.p99.toFixed(1)} ms, mean batch ${r.on.meanBatch.toFixed(1)}`,
    );
    results.push(r);
  }
  const model = `mlp-${options.hidden}`;
  const base = { scenario: 'server-batching', model };
  return [
    row({
      ...base,
      metric: `throughput, ${options.clients} clients`,
      unit: 'req/s',
      candidate: side(
        'batching on',
        results.map((r) => r.on.rps),
      ),
      baseline: side(
        'batching off',
        results.map((r) => r.off.rps),
      ),
      target: 'ratio >= 2',
      check: (r) => r.ratio >= 2,
    }),
    row({
      ...base,
      metric: 'latency p99',
      unit: 'ms',
      candidate: side(
        'batching on',
        results.map((r) => r.on.p99),
      ),
      baseline: side(
        'batching off',
        results.map((r) => r.off.p99),
      ),
      target: 'ratio <= 2',
      check: (r) => r.ratio <= 2,
    }),
    row({
      ...base,
      metric: '/ping p99 under that load',
      unit: 'ms',
      candidate: side(
        'batching on',
        results.map((r) => r.on.pingP99),
      ),
      baseline: side(
        'batching off',
        results.map((r) => r.off.pingP99),
      ),
    }),
  ];
}
