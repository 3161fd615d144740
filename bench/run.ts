/**
 * npm run bench [-- --scenario <name>]... [--reps <n>] [--models tiny,recognition,large] [--soak-seconds <s>]
 *
 * Every scenario on real parts: the local S3-protocol server behind the counting proxy,
 * onnxruntime-node, and a fresh Node process for every cold measurement. Candidates and
 * baselines alternate over the repetitions. Prints a table and writes
 * bench/results/<timestamp>.json, latest.json and latest.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildChildren } from './lib/children';
import { BENCH_DIR, MODEL_NAMES, prepareModels, type ModelName } from './lib/models';
import { machine, markdownTable, textTable } from './lib/report';
import type { Log, Row } from './lib/rows';
import { startWorld, type World } from './lib/world';
import { idleProbe } from './lib/idleProbe';
import { batchScenario } from './scenarios/batch';
import { coldScenario } from './scenarios/cold';
import { coldStartScenario } from './scenarios/coldStart';
import { CAP_BYTES_PER_SECOND, downloadScenario } from './scenarios/download';
import { externalDataScenario } from './scenarios/externalData';
import { fairSchedulingScenario } from './scenarios/fairScheduling';
import { memoryScenario } from './scenarios/memory';
import { ocrAccuracyScenario } from './scenarios/ocrAccuracy';
import { ocrPipelineScenario } from './scenarios/ocrPipeline';
import { pingUnderPreprocessingScenario } from './scenarios/pingUnderPreprocessing';
import { serverBatchingScenario } from './scenarios/serverBatching';
import { repositoryScenario } from './scenarios/repository';
import { soakScenario } from './scenarios/soak';
import { warmScenario } from './scenarios/warm';
import { warmSandboxScenario } from './scenarios/warmSandbox';

type Scenario = (world: World, reps: number, log: Log) => Promise<Row[]>;

/** Name -> scenario, with the repetitions that fit the whole run in 15 minutes on 2 cores. */
const SCENARIOS: Record<string, { run: Scenario; reps: number; models: readonly ModelName[] }> = {
  warm: { run: warmScenario, reps: 3, models: MODEL_NAMES },
  cold: { run: coldScenario, reps: 7, models: MODEL_NAMES },
  // The same cold start on a wire like S3's: every connection capped at 50 MB/s.
  'cold-capped': { run: (w, r, l) => coldScenario(w, r, l, CAP_BYTES_PER_SECOND), reps: 3, models: ['large'] },
  'warm-sandbox': { run: warmSandboxScenario, reps: 7, models: MODEL_NAMES },
  // Issue 17: the example models pushed with their pre-optimised graphs, cold and warm-sandbox
  // starts against the naive, pre-optimised and bare bounds, and the handler bundle's load.
  'cold-start': { run: coldStartScenario, reps: 9, models: [] },
  download: { run: downloadScenario, reps: 5, models: MODEL_NAMES },
  memory: { run: memoryScenario, reps: 5, models: ['large'] },
  // The container server, not Lambda: no S3, a generated MLP of its own.
  'server-batching': { run: serverBatchingScenario, reps: 3, models: [] },
  'ping-under-preprocessing': { run: (_w, r, l) => pingUnderPreprocessingScenario(r, l), reps: 1, models: [] },
  // Issue 27: a light model (VAD) beside OCR and large JSON infers on serve, against it idle, on
  // the shared pool and on a thread of its own; its own run (minutes on a loaded 2-core box).
  'fair-scheduling': { run: (_w, r, l) => fairSchedulingScenario(r, l), reps: 3, models: [] },
  // A generated 2.15 GB model with external data, from S3 and from the cache: its own run
  // (npm run bench -- --scenario external-data), ~7 GB of scratch disk, deleted afterwards.
  'external-data': { run: externalDataScenario, reps: 2, models: [] },
  // Issue 18: the OCR pipeline on npm start against a client chaining the single-model routes, and its cold start.
  'ocr-pipeline': { run: ocrPipelineScenario, reps: 5, models: [] },
  // Issue 26: full-page OCR on 36 photo-like pages (a third held out) against @gutenye/ocr-node,
  // paddleocr and ppu-paddle-ocr on the same model files: accuracy and time per page; its own
  // run (npm run bench -- --scenario ocr-accuracy), about 6 minutes on 2 cores.
  'ocr-accuracy': { run: ocrAccuracyScenario, reps: 1, models: [] },
  // Issue 29: a model repository's function (102 tiny models) against single-model functions:
  // a new model's cold load, a loaded model's request, resident memory per model.
  repository: { run: repositoryScenario, reps: 5, models: [] },
  // Issue 28: onnxless batch --local over 200 rendered lines against a client calling the HTTP route one item at a time.
  batch: { run: batchScenario, reps: 3, models: [] },
  // 10 minutes by default (issue 13); --soak-seconds for a shorter run.
  soak: { run: (_w, _r, l) => soakScenario(l, soakSeconds()), reps: 1, models: [] },
};

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', multiple: true },
    reps: { type: 'string' },
    models: { type: 'string' },
    'soak-seconds': { type: 'string' },
  },
});

// The numbers are meant for Lambda's Node (nodejs22.x, nodejs24.x): package.json's engines,
// enforced here because npm only warns, and a machine's default `node` may be older (this one's
// is 20: a whole run went through it once, and its figures, peak RSS among them, differ).
const [nodeMajor = 0, nodeMinor = 0] = process.versions.node.split('.').map(Number);
if (nodeMajor < 22 || (nodeMajor === 22 && nodeMinor < 19)) {
  throw new Error(
    `npm run bench measures on Lambda's Node (>= 22.19, package.json engines); this is ${process.version}: put Node 22 first on PATH (README, Quick start)`,
  );
}

function soakSeconds(): number {
  const raw = values['soak-seconds'];
  const seconds = raw === undefined ? 600 : Number(raw);
  if (!(seconds > 0)) throw new Error(`--soak-seconds expects a positive number, got '${raw}'`);
  return seconds;
}

/** Scenarios that only run when named: they need minutes and gigabytes of their own. */
const OWN_RUN = ['external-data', 'ocr-accuracy', 'fair-scheduling'];
const chosen = values.scenario ?? Object.keys(SCENARIOS).filter((name) => !OWN_RUN.includes(name));
for (const name of chosen) {
  if (!SCENARIOS[name]) throw new Error(`unknown scenario '${name}'; valid: ${Object.keys(SCENARIOS).join(', ')}`);
}
const onlyModels = values.models?.split(',') as ModelName[] | undefined;
for (const m of onlyModels ?? []) if (!MODEL_NAMES.includes(m)) throw new Error(`unknown model '${m}'; valid: ${MODEL_NAMES.join(', ')}`);
const reps = values.reps === undefined ? undefined : Number(values.reps);

const started = Date.now();
const log: Log = (message) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);
const before = machine();
log(`machine: ${JSON.stringify(before)}`);
// Before anything of ours runs: how much of the CPUs other work takes (1 = idle).
const idle = await idleProbe();
log(`idle-CPU probe: ${JSON.stringify(idle)}`);

const needed = new Set<ModelName>(chosen.flatMap((s) => (SCENARIOS[s]?.models ?? []).filter((m) => !onlyModels || onlyModels.includes(m))));
const models = await prepareModels([...needed]);
await buildChildren();
const world = await startWorld(models);
log(
  `models ready: ${Object.values(models)
    .map((m) => `${m.name} ${(m.bytes / 1e6).toFixed(1)} MB`)
    .join(', ')}`,
);

const rows: Row[] = [];
const failures: Array<{ scenario: string; error: string }> = [];
try {
  for (const name of chosen) {
    const scenario = SCENARIOS[name] as (typeof SCENARIOS)[string];
    const scoped = {
      ...world,
      models: pick(
        models,
        scenario.models.filter((m) => needed.has(m)),
      ),
    } as World;
    log(`scenario ${name}`);
    // One scenario's failure (a loaded box can make one fail) does not lose the others' rows:
    // it is logged, recorded in the results, and the run exits non-zero at the end.
    try {
      rows.push(...(await scenario.run(scoped, reps ?? scenario.reps, log)));
    } catch (err) {
      failures.push({ scenario: name, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      log(`scenario ${name} FAILED: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
} finally {
  await world.close();
}

const after = machine();
const result = {
  command: `npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  startedAt: new Date(started).toISOString(),
  durationS: Math.round((Date.now() - started) / 1000),
  machine: { ...before, loadAverageAtEnd: after.loadAverage, idleProbe: idle },
  rows,
  ...(failures.length > 0 ? { failures } : {}),
};
console.log(`\n${textTable(rows)}\n`);
log(`done in ${result.durationS} s`);
const dir = join(BENCH_DIR, 'results');
mkdirSync(dir, { recursive: true });
const stamp = result.startedAt.replace(/[:.]/g, '-');
writeFileSync(join(dir, `${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(dir, 'latest.md'), `${markdownTable(rows)}\n`);
console.log(`results: bench/results/${stamp}.json (and latest.json, latest.md)`);
if (failures.length > 0) {
  console.error(
    `${failures.length} scenario(s) failed: ${failures.map((f) => f.scenario).join(', ')} (their errors are in the results file)`,
  );
  process.exitCode = 1;
}

function pick<K extends string, V>(all: Record<K, V>, keys: readonly K[]): Record<K, V> {
  return Object.fromEntries(keys.filter((k) => k in all).map((k) => [k, all[k]])) as Record<K, V>;
}
