import { row, side, type Log, type Row } from '../lib/rows';
import {
  count5xx,
  measureFairScheduling,
  median,
  ocrPagesPerSecond,
  type FairSchedulingResult,
  type Phase,
} from '../server/fairScheduling';
import { pingSummary } from '../server/pingUnderPreprocessing';

/** The VAD model on the shared pool (the default: fair turns), and on one thread of its own (`workers: 1`). */
const VARIANTS = [
  { name: 'shared pool', vadWorkers: undefined },
  { name: 'own thread', vadWorkers: 1 },
] as const;

/**
 * Issue 27 item 3: a light model beside heavy ones on `onnxless serve`. A 4 s WAV to the VAD
 * route, idle, beside 2 OCR clients, and in an 8-client mix (3 OCR pages, 3 x 6 MB JSON infers,
 * 2 VAD clients); /ping p99 and the count of 5xx in each. Target: the VAD p50 under load within
 * 2x of its idle p50 on the same server. And OCR's throughput alone (2 clients, nothing else),
 * which keeping a thread for light models must not cut.
 */
export async function fairSchedulingScenario(reps: number, log: Log): Promise<Row[]> {
  const rows: Row[] = [];
  for (const variant of VARIANTS) {
    const runs: FairSchedulingResult[] = [];
    for (let i = 0; i < reps; i++) {
      log(`fair-scheduling, VAD on the ${variant.name}, rep ${i + 1}/${reps}`);
      runs.push(await measureFairScheduling({ log, vadWorkers: variant.vadWorkers }));
    }
    const p50s = (pick: (r: FairSchedulingResult) => Phase) => runs.map((r) => median(pick(r).vad));
    const loaded = (load: string, pick: (r: FairSchedulingResult) => Phase) =>
      row({
        scenario: 'fair-scheduling',
        model: `voice-activity, ${variant.name}`,
        metric: `4 s WAV p50, ${load}`,
        unit: 'ms',
        candidate: side(load, p50s(pick)),
        baseline: side(
          'idle',
          p50s((r) => r.idle),
        ),
        target: 'ratio <= 2',
        check: (r) => r.ratio <= 2,
        note: `/ping p99 ${runs.map((r) => pingSummary(pick(r).ping).p99.toFixed(0)).join(', ')} ms; 5xx ${runs.map((r) => count5xx(pick(r))).join(', ')}`,
        details: { runs: runs.map((r) => summary(pick(r))), idle: runs.map((r) => summary(r.idle)) },
      });
    rows.push(
      loaded('beside 2 OCR clients', (r) => r.besideOcr),
      loaded('8-client mix', (r) => r.mix),
      // A heavy model alone keeps every thread: its throughput is reported beside its throughput next to VAD.
      row({
        scenario: 'fair-scheduling',
        model: `ocr, VAD on the ${variant.name}`,
        metric: 'pages/s, 2 OCR clients',
        unit: 'pages/s',
        candidate: side(
          'beside 1 VAD client',
          runs.map((r) => ocrPagesPerSecond(r.besideOcr)),
        ),
        baseline: side(
          'alone',
          runs.map((r) => ocrPagesPerSecond(r.ocrAlone)),
        ),
        details: { alone: runs.map((r) => summary(r.ocrAlone)) },
      }),
    );
  }
  return rows;
}

function summary(p: Phase) {
  return { vadP50: median(p.vad), vad: p.vad, ping: pingSummary(p.ping), errors5xx: count5xx(p), seconds: p.seconds, tasks: p.tasks };
}
