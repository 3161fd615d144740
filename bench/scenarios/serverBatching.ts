import { measureBatching, parseArgs, type ModeResult } from '../server/throughput';
import { row, side, type Log, type Row } from '../lib/rows';

/**
 * The container server (`onnxless serve`, a real process) under 32 closed-loop clients, one
 * row per request, a 4096-wide MLP: dynamic batching on against off. Targets (issue 30): in
 * every repetition, throughput >= 2.5x at a p99 no worse than 2x; /ping p99 under that load and
 * the mean batch the server formed (requests per run, from its /metrics) are reported.
 * Each repetition measures both modes; the rows carry the per-repetition values.
 */
export async function serverBatchingScenario(_world: unknown, reps: number, log: Log): Promise<Row[]> {
  const options = { ...parseArgs([]), seconds: 8 };
  const results: Array<Awaited<ReturnType<typeof measureBatching>>> = [];
  for (let i = 0; i < reps; i++) {
    const r = await measureBatching(options);
    log(
      `server-batching rep ${i + 1}/${reps}: off ${r.off.rps.toFixed(0)} req/s p99 ${r.off.p99.toFixed(1)} ms; on ${r.on.rps.toFixed(0)} req/s p99 ${r.on.p99.toFixed(1)} ms, mean batch ${r.on.meanBatch.toFixed(1)}`,
    );
    results.push(r);
  }
  /** One metric of both modes, a sample per repetition. */
  const modes = (metric: string, unit: string, pick: (mode: ModeResult) => number) => ({
    scenario: 'server-batching',
    model: `mlp-${options.hidden}`,
    metric,
    unit,
    candidate: side(
      'batching on',
      results.map((r) => pick(r.on)),
    ),
    baseline: side(
      'batching off',
      results.map((r) => pick(r.off)),
    ),
  });
  return [
    row({
      ...modes(`throughput, ${options.clients} clients`, 'req/s', (m) => m.rps),
      target: 'ratio >= 2.5 in every repetition',
      check: () => results.every((r) => r.on.rps >= 2.5 * r.off.rps),
    }),
    row({
      ...modes('latency p99', 'ms', (m) => m.p99),
      target: 'ratio <= 2 in every repetition',
      check: () => results.every((r) => r.on.p99 <= 2 * r.off.p99),
    }),
    row(modes('/ping p99 under that load', 'ms', (m) => m.pingP99)),
    row(modes('mean batch formed', 'requests per run', (m) => m.meanBatch)),
  ];
}
