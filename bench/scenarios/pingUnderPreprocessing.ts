import { row, side, type Log, type Row } from '../lib/rows';
import { measurePingUnderPreprocessing, pingSummary } from '../server/pingUnderPreprocessing';

/**
 * /ping p99 while `onnxless serve` resamples two 6 MiB WAVs at 383,999 Hz and parses eight 6 MB
 * JSON tensors (issue 13 S2), against /ping on the same server idle. Target: p99 <= 50 ms.
 */
export async function pingUnderPreprocessingScenario(reps: number, log: Log): Promise<Row[]> {
  const idle: number[] = [];
  const busy: number[] = [];
  const details = [];
  for (let i = 0; i < reps; i++) {
    const r = await measurePingUnderPreprocessing();
    const b = pingSummary(r.busy);
    const d = pingSummary(r.idle);
    log(
      `ping-under-preprocessing rep ${i + 1}/${reps}: ${b.n} probes in ${r.heavySeconds.toFixed(0)} s, p99 ${b.p99.toFixed(1)} ms (idle ${d.p99.toFixed(1)}), ${b.over50} over 50 ms, max ${b.max.toFixed(0)} ms; heavy statuses ${r.heavyStatuses.join(',')}`,
    );
    idle.push(d.p99);
    busy.push(b.p99);
    details.push({ busy: b, idle: d, heavyStatuses: r.heavyStatuses, heavySeconds: r.heavySeconds });
  }
  return [
    row({
      scenario: 'ping-under-preprocessing',
      model: 'vad+mlp',
      metric: '/ping p99, 2 WAVs at 383,999 Hz + 8 x 6 MB JSON',
      unit: 'ms',
      candidate: side('saturated', busy),
      baseline: side('idle', idle),
      target: '<= 50 ms',
      check: (x) => x.candidate.summary.median <= 50,
      details: { reps: details },
    }),
  ];
}
