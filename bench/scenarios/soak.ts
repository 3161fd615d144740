import { row, side, type Log, type Row } from '../lib/rows';
import { soak } from '../server/soak';

/**
 * `onnxless serve` under mixed traffic (issue 13 item 9), once: `seconds` of OIP JSON and binary,
 * image and WAV domain routes, malformed requests and aborted uploads, then SIGTERM. Targets:
 * 0 5xx, RSS flat after warm-up, nothing in flight at the end, exit 0.
 *
 * "Flat" compares windows, not instants: the median RSS of the run's last quarter against that
 * of its second quarter (the first is warm-up). RSS follows the heap's GC sawtooth (tens of MB
 * here), so one sample against another measured the phase of the sawtooth more than a trend:
 * 600 s runs read 1.14 and 1.03 end against quarter for the same code.
 */
export async function soakScenario(log: Log, seconds: number): Promise<Row[]> {
  log(`soak: ${seconds} s of mixed traffic on onnxless serve`);
  const r = await soak({ seconds, clients: 6, maxRequests: 1_000_000, sampleSeconds: Math.max(5, Math.round(seconds / 60)) });
  const within = <T extends [number, ...number[]]>(samples: T[], from: number, to: number) =>
    samples.filter(([t]) => t >= from * seconds && t < to * seconds);
  const [settled, last] = [within(r.rss, 0.25, 0.5), within(r.rss, 0.75, Infinity)];
  const [settledHeap, lastHeap] = [within(r.heap, 0.25, 0.5), within(r.heap, 0.75, Infinity)];
  log(
    `soak: ${r.requests} requests in ${r.seconds.toFixed(0)} s, ${r.fiveHundreds} 5xx, RSS ${r.rss.map(([t, mb]) => `${t}:${mb}`).join(' ')} MB, in flight ${r.inFlightAtEnd}, exit ${r.exitCode} after ${r.exitMs.toFixed(0)} ms`,
  );
  const base = { scenario: 'soak', model: 'mlp+orientation+vad', details: { ...r } };
  const sent = side('requests sent', [r.requests]);
  return [
    row({
      ...base,
      metric: `RSS over the last quarter of ${seconds} s vs the second`,
      unit: 'MB',
      candidate: side(
        'last quarter',
        last.map(([, mb]) => mb),
      ),
      baseline: side(
        'second quarter',
        settled.map(([, mb]) => mb),
      ),
      target: 'ratio <= 1.10',
      check: (x) => x.ratio <= 1.1,
    }),
    // The main thread's JavaScript heap over the same windows: whether growth is the server's own
    // objects (a leak in JS) or the workers' and native memory.
    row({
      ...base,
      metric: "main thread's V8 heap used, same windows",
      unit: 'MB',
      candidate: side(
        'last quarter',
        lastHeap.map(([, mb]) => mb),
      ),
      baseline: side(
        'second quarter',
        settledHeap.map(([, mb]) => mb),
      ),
    }),
    row({
      ...base,
      metric: '5xx answers',
      unit: 'answers',
      candidate: side('soak', [r.fiveHundreds]),
      baseline: sent,
      target: '0',
      check: (x) => x.candidate.summary.max === 0,
    }),
    row({
      ...base,
      metric: 'in flight at the end (gauge less its own scrape)',
      unit: 'requests',
      candidate: side('soak', [r.inFlightAtEnd]),
      baseline: sent,
      target: '0',
      check: (x) => x.candidate.summary.max === 0,
    }),
    row({
      ...base,
      metric: 'exit code after SIGTERM',
      unit: 'code',
      candidate: side('soak', [r.exitCode ?? -1]),
      baseline: side('expected', [0]),
      target: '0',
      check: (x) => x.candidate.summary.max === 0,
    }),
  ];
}
