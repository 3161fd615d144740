import { row, side, type Log, type Row } from '../lib/rows';
import { soak } from '../server/soak';

/**
 * `onnxless serve` under mixed traffic (issue 13 item 9), once: `seconds` of OIP JSON and binary,
 * image and WAV domain routes, malformed requests and aborted uploads, then SIGTERM. Targets:
 * 0 5xx, RSS flat after warm-up (end within 10% of the RSS a quarter into the run), nothing in
 * flight at the end, exit 0.
 */
export async function soakScenario(log: Log, seconds: number): Promise<Row[]> {
  log(`soak: ${seconds} s of mixed traffic on onnxless serve`);
  const r = await soak({ seconds, clients: 6, maxRequests: 1_000_000, sampleSeconds: Math.max(5, Math.round(seconds / 60)) });
  const warm = r.rss.find(([t]) => t >= seconds / 4) ?? r.rss[0]!;
  const end = r.rss.at(-1)!;
  log(`soak: ${r.requests} requests in ${r.seconds.toFixed(0)} s, ${r.fiveHundreds} 5xx, RSS ${warm[1]} MB at ${warm[0]} s -> ${end[1]} MB, in flight ${r.inFlightAtEnd}, exit ${r.exitCode} after ${r.exitMs.toFixed(0)} ms`);
  const base = { scenario: 'soak', model: 'mlp+orientation+vad', details: { ...r } };
  const sent = side('requests sent', [r.requests]);
  return [
    row({ ...base, metric: `RSS at the end of ${seconds} s vs after warm-up`, unit: 'MB', candidate: side('end', [end[1]]), baseline: side(`at ${warm[0]} s`, [warm[1]]), target: 'ratio <= 1.10', check: (x) => x.ratio <= 1.1 }),
    row({ ...base, metric: '5xx answers', unit: 'answers', candidate: side('soak', [r.fiveHundreds]), baseline: sent, target: '0', check: (x) => x.candidate.summary.max === 0 }),
    row({ ...base, metric: 'in flight at the end (gauge less its own scrape)', unit: 'requests', candidate: side('soak', [r.inFlightAtEnd]), baseline: sent, target: '0', check: (x) => x.candidate.summary.max === 0 }),
    row({ ...base, metric: 'exit code after SIGTERM', unit: 'code', candidate: side('soak', [r.exitCode ?? -1]), baseline: side('expected', [0]), target: '0', check: (x) => x.candidate.summary.max === 0 }),
  ];
}
