import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEvalSet, pagePath, SPLITS } from '../ocr-accuracy/evalSet';
import type { PeerName } from '../ocr-accuracy/peers';
import { pageTable, scoreReads, totals, totalsTable, worstPages, type PageScore, type Totals } from '../ocr-accuracy/report';
import { readWithOnnxless, readWithPeer, type SystemReads } from '../ocr-accuracy/systems';
import { LocalStackProcess } from '../../test/support/localStackProcess';
import { BENCH_DIR } from '../lib/models';
import { row, side, type Log, type Row } from '../lib/rows';
import type { World } from '../lib/world';

/** Short names for BENCH_OCR_SYSTEMS (a comma list; all by default). */
const SYSTEMS: Record<string, PeerName | 'onnxless'> = {
  onnxless: 'onnxless',
  gutenye: '@gutenye/ocr-node 1.4.8',
  paddleocr: 'paddleocr 1.2.0',
  ppu: 'ppu-paddle-ocr 6.3.0',
};
const REFERENCE: PeerName = '@gutenye/ocr-node 1.4.8';

/**
 * Issue 26: full-page OCR on photo-like pages (bench/ocr-accuracy/pages, every third page held out
 * from tuning), onnxless as a user calls it (POST /models/ocr/predict on `npm start`, warm) beside
 * the peers on the same PP-OCRv4 files, one system at a time, each scored by the same rule
 * (bench/ocr-accuracy/score.ts). Prints the table per page and the totals per split; writes them
 * to bench/results/ocr-accuracy.md, and every line read (as returned, and against the truth) to bench/results/ocr-accuracy.json.
 * BENCH_OCR_SYSTEMS=onnxless,gutenye runs only those (onnxless, gutenye, paddleocr, ppu).
 */
export async function ocrAccuracyScenario(world: World, _reps: number, log: Log): Promise<Row[]> {
  const set = loadEvalSet();
  const files = set.pages.map((p) => pagePath(p));
  const chosen = (process.env.BENCH_OCR_SYSTEMS ?? Object.keys(SYSTEMS).join(',')).split(',').map((name) => {
    const system = SYSTEMS[name.trim()];
    if (!system) throw new Error(`BENCH_OCR_SYSTEMS: unknown system '${name}'; valid: ${Object.keys(SYSTEMS).join(', ')}`);
    return system;
  });
  const reads: SystemReads[] = [];
  for (const system of chosen) {
    const started = performance.now();
    const read = system === 'onnxless' ? await readOnnxless(world, files, log) : await readWithPeer(system, files);
    reads.push(read);
    log(
      `ocr-accuracy: ${system} read ${read.pages.length} pages in ${((performance.now() - started) / 1000).toFixed(0)} s (load and warm-up ${read.loadMs.toFixed(0)} ms)`,
    );
  }
  const scores = scoreReads(set, reads);
  const sums = totals(scores);
  const report = [
    `# OCR accuracy: ${set.pages.length} photo-like pages (${set.pages.filter((p) => p.split === 'held-out').length} held out)`,
    '',
    `${set.about}`,
    '',
    '## Totals per split',
    '',
    totalsTable(sums),
    '',
    '## Per page',
    '',
    pageTable(scores),
    ...(chosen.includes('onnxless') ? ['', '## onnxless: worst pages', '', worstPages(scores, 'onnxless')] : []),
    '',
  ].join('\n');
  console.log(`\n${report}`);
  const dir = join(BENCH_DIR, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ocr-accuracy.md'), report);
  // One page of one system per line: the file stays a few hundred KB and a diff shows which page changed.
  const pages = pagesJson(scores).map((p) => JSON.stringify(p));
  writeFileSync(
    join(dir, 'ocr-accuracy.json'),
    `${JSON.stringify({ about: set.about, totals: sums }, null, 1).slice(0, -2)},\n "pages": [\n${pages.join(',\n')}\n ]\n}\n`,
  );
  log('ocr-accuracy: bench/results/ocr-accuracy.md (tables) and ocr-accuracy.json (every line read)');
  return chosen.includes('onnxless') ? rows(scores, sums, chosen) : [];
}

async function readOnnxless(world: World, files: readonly string[], log: Log): Promise<SystemReads> {
  const stack = await LocalStackProcess.create(join(world.scratch(), 'local'));
  await stack.start();
  log(`ocr-accuracy: local stack up at ${stack.baseUrl}`);
  try {
    return await readWithOnnxless(stack.baseUrl, files);
  } finally {
    await stack.stop();
    stack.dispose();
  }
}

/** Every page of every system: its scores, each truth line against what was read there, and the lines as returned (boxes to 0.1 px). */
function pagesJson(scores: readonly PageScore[]) {
  return scores.map(({ result, read, ...page }) => ({
    ...page,
    ms: Math.round(page.ms),
    ...result,
    read: read.map((l) => ({ text: l.text, ...(l.box ? { box: l.box.map((p) => p.map((x) => Math.round(x * 10) / 10)) } : {}) })),
  }));
}

/** onnxless against each peer, per split: CER and lines found; time against @gutenye/ocr-node. */
function rows(scores: readonly PageScore[], sums: readonly Totals[], chosen: readonly string[]): Row[] {
  const peers = chosen.filter((s): s is PeerName => s !== 'onnxless');
  const total = (system: string, split: string) => sums.find((t) => t.system === system && t.split === split)!;
  return SPLITS.flatMap((split) => {
    const heldOut = split === 'held-out';
    const ours = total('onnxless', split);
    const accuracy = peers.flatMap((peer) => {
      const theirs = total(peer, split);
      return [
        row({
          scenario: 'ocr-accuracy',
          model: 'ocr',
          metric: `CER, ${split} pages`,
          unit: '%',
          candidate: side('onnxless POST /models/ocr/predict', [ours.cer * 100]),
          baseline: side(peer, [theirs.cer * 100]),
          ...(heldOut ? { target: '<= 3 % and below the peer', check: (r: Row) => r.candidate.summary.median <= 3 && r.ratio < 1 } : {}),
          note: `without spaces: ${(ours.cerNoSpaces * 100).toFixed(1)} % against ${(theirs.cerNoSpaces * 100).toFixed(1)} %; extra lines ${ours.extra} against ${theirs.extra}`,
          details: { onnxless: ours, [peer]: theirs },
        }),
        row({
          scenario: 'ocr-accuracy',
          model: 'ocr',
          metric: `lines found (line CER <= 10 %), ${split} pages`,
          unit: '%',
          candidate: side('onnxless POST /models/ocr/predict', [ours.linesFound * 100]),
          baseline: side(peer, [theirs.linesFound * 100]),
          ...(heldOut ? { target: '>= 95 %', check: (r: Row) => r.candidate.summary.median >= 95 } : {}),
        }),
      ];
    });
    const ms = (system: string) => scores.filter((s) => s.system === system && s.split === split).map((s) => s.ms);
    const time = peers.includes(REFERENCE)
      ? [
          row({
            scenario: 'ocr-accuracy',
            model: 'ocr',
            metric: `time per page, warm, ${split} pages`,
            unit: 'ms',
            candidate: side('onnxless POST /models/ocr/predict (npm start)', ms('onnxless')),
            baseline: side(REFERENCE, ms(REFERENCE)),
            ...(heldOut ? { target: 'ratio <= 0.6', check: (r: Row) => r.ratio <= 0.6 } : {}),
            note: 'one sample per page: the median page; onnxless over HTTP (decode, detect, orient, recognise, JSON), the peer in-process from the file',
          }),
        ]
      : [];
    return [...accuracy, ...time];
  });
}
