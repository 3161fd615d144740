import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { EXAMPLE_MODELS } from '../../lib/tools/local/exampleWeights';
import { inspectModel, type ModelFacts } from '../../lib/tools/store/inspectModel';
import { OPTIMIZED_FILE_NAME } from '../../lib/tools/store/optimizeGraph';
import { pushModel } from '../../lib/tools/store/pushModel';
import { httpApiEvent } from '../../test/support/httpApiEvent';
import { DEPLOYED_EXTERNALS, runChild, type ChildName, type ChildResult } from '../lib/children';
import { BENCH_DIR, CACHE_DIR } from '../lib/models';
import { phaseChartSvg, type PhaseBar } from '../lib/phaseChart';
import { row, side, type Log, type Row } from '../lib/rows';
import { BUCKET, type World } from '../lib/world';

/** The example models a cold start is judged on, by their registry names. */
const EXAMPLES = ['tiny', 'text-recognition', 'voice-activity'] as const;
type Example = (typeof EXAMPLES)[number];
/** The target for the naive bound applies where session creation is most of the start. */
const NAIVE_TARGET: Record<Example, number | undefined> = { tiny: undefined, 'text-recognition': 0.9, 'voice-activity': 0.9 };
const BUNDLE_BUDGET_MS = 10;
/**
 * The handler traced as in Lambda with active tracing (lib/core/observability/tracing.ts): inside
 * Lambda, a sampled invocation's trace header, and a daemon address (nothing listens there: the
 * datagrams are sent and lost, as their cost is what is measured).
 */
const LAMBDA_TRACING_ENV = {
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  _X_AMZN_TRACE_ID: 'Root=1-6759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
  AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
};
const SCENARIO = 'cold-start';

/** One JSON infer body per example: inputs of the shapes its pipeline feeds. */
function inferBody(name: Example): string {
  const floats = (n: number) => Array.from({ length: n }, (_, i) => Math.round(Math.sin(i * 0.37) * 0.5 * 1e4) / 1e4);
  const inputs =
    name === 'voice-activity'
      ? [
          { name: 'input', shape: [1, 512], datatype: 'FP32', data: floats(512) },
          { name: 'state', shape: [2, 1, 128], datatype: 'FP32', data: new Array(256).fill(0) },
          { name: 'sr', shape: [], datatype: 'INT64', data: [16000] },
        ]
      : name === 'tiny'
        ? [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', data: floats(3 * 48 * 192) }]
        : [{ name: 'x', shape: [1, 3, 48, 320], datatype: 'FP32', data: floats(3 * 48 * 320) }];
  return JSON.stringify({ id: 'bench', inputs });
}

interface Variant {
  name: string;
  child: ChildName;
  args: (dir: string) => object;
  env: (dir: string) => Record<string, string>;
  /** A folder kept across repetitions (a warm sandbox's /tmp); default: a fresh one per run. */
  dir?: string;
}

/**
 * Cold start against its bounds, side by side in one run, for every example model pushed as
 * `onnxless push` pushes it (with its pre-optimised graph):
 * - the generic handler's first response in a fresh process with an empty cache, against the
 *   naive bound (GET model.onnx, a session from it, one run) and the pre-optimised bound (the
 *   same with the pre-optimised graph), and the handler traced as in Lambda (tracing on);
 * - a warm sandbox (a fresh process, the cache in /tmp left by an earlier one) against a bare
 *   session from the /tmp model.onnx and one run;
 * - the deployed handler bundle's own load (require of the CommonJS file), against 10 ms, and
 *   one --cpu-prof run of it: compile against evaluation.
 * Writes bench/results/cold-start-phases.svg: where each millisecond goes, tiny and recognition.
 */
export async function coldStartScenario(world: World, reps: number, log: Log): Promise<Row[]> {
  const rows: Row[] = [];
  const env = { ONNXLESS_MODEL_NAME: 'bench', AWS_LAMBDA_FUNCTION_NAME: 'bench' };
  rows.push(...(await bundleRows(world, reps, log, env)));
  const charts: Record<string, PhaseBar[]> = {};
  for (const name of EXAMPLES) {
    const facts = await inspectModel(EXAMPLE_MODELS[name]!, name);
    if (!facts.optimized) throw new Error(`${name}: no pre-optimised graph (${facts.optimizeSkipped})`);
    const prefix = `examples/${name}/1/`;
    await pushModel(world.s3.setupClient, facts, { bucket: BUCKET, prefix });
    const event = join(CACHE_DIR, 'events', `example-${name}.json`);
    mkdirSync(join(CACHE_DIR, 'events'), { recursive: true });
    writeFileSync(event, JSON.stringify(httpApiEvent('POST', '/v2/models/bench/infer', { body: inferBody(name) })));
    const handlerEnv = (dir: string) => ({
      ...world.s3Env(),
      ...env,
      ONNXLESS_MODEL_URI: `s3://${BUCKET}/${prefix}`,
      ONNXLESS_MODEL_SHA256: facts.sha256,
      ONNXLESS_CACHE_DIR: dir,
    });
    const bound = (graph: string, keys: string[]) => (dir: string) => ({ event, keys, dir, graph });

    // A warm sandbox's /tmp: the cache a first handler left, with this machine's graph that a
    // second (its first restart) wrote, and model.onnx for the bare session.
    const sandbox = world.scratch();
    for (let start = 0; start < 2; start++) await runChild('coldStartPhases', { event }, handlerEnv(sandbox));
    const bare = world.scratch();
    await runChild('coldStartBound', bound('model.onnx', [`${prefix}model.onnx`])(bare), world.s3Env());

    const variants: Variant[] = [
      { name: 'handler, cold', child: 'coldStartPhases', args: () => ({ event }), env: handlerEnv },
      // As deployed (the registry's default `tracing: true`): inside Lambda, spans go to the X-Ray daemon.
      {
        name: 'handler, cold, tracing on',
        child: 'coldStartPhases',
        args: () => ({ event }),
        env: (dir) => ({ ...handlerEnv(dir), ...LAMBDA_TRACING_ENV }),
      },
      { name: 'naive bound', child: 'coldStartBound', args: bound('model.onnx', [`${prefix}model.onnx`]), env: () => world.s3Env() },
      {
        name: 'pre-optimised bound',
        child: 'coldStartBound',
        args: bound(OPTIMIZED_FILE_NAME, [`${prefix}${OPTIMIZED_FILE_NAME}`]),
        env: () => world.s3Env(),
      },
      { name: 'handler, warm sandbox', child: 'coldStartPhases', args: () => ({ event }), env: handlerEnv, dir: sandbox },
      { name: 'bare session from /tmp', child: 'coldStartBound', args: bound('model.onnx', []), env: () => world.s3Env(), dir: bare },
    ];
    const results = await alternate(world, name, variants, reps, log);
    const ms = (v: string) => (results.get(v) ?? []).map((r) => r.elapsedMs);
    const base = { scenario: SCENARIO, model: name, metric: 'first response from process start', unit: 'ms' };
    const naive = NAIVE_TARGET[name];
    const details = { facts: describe(facts), phases: Object.fromEntries([...results].map(([v, rs]) => [v, medians(rs)])) };
    rows.push(
      row({
        ...base,
        candidate: side('handler, cold', ms('handler, cold')),
        baseline: side('naive bound', ms('naive bound')),
        ...(naive ? { target: `ratio <= ${naive}`, check: (r: Row) => r.ratio <= naive } : {}),
        details,
      }),
      row({
        ...base,
        candidate: side('handler, cold', ms('handler, cold')),
        baseline: side('pre-optimised bound', ms('pre-optimised bound')),
        target: 'ratio <= 1.05',
        check: (r) => r.ratio <= 1.05,
      }),
      // As deployed, traced: what tracing costs.
      row({
        ...base,
        candidate: side('handler, cold, tracing on', ms('handler, cold, tracing on')),
        baseline: side('pre-optimised bound', ms('pre-optimised bound')),
        target: 'ratio <= 1.05',
        check: (r) => r.ratio <= 1.05,
      }),
      row({
        ...base,
        metric: 'warm sandbox: first response',
        candidate: side('handler, warm sandbox', ms('handler, warm sandbox')),
        baseline: side('bare session from /tmp', ms('bare session from /tmp')),
        target: 'ratio <= 1.05',
        check: (r) => r.ratio <= 1.05,
      }),
    );
    charts[name] = ['handler, cold', 'naive bound', 'pre-optimised bound', 'handler, warm sandbox', 'bare session from /tmp'].map((v) =>
      phaseBar(`${name}: ${v}`, results.get(v) ?? []),
    );
    world.cleanup(sandbox);
    world.cleanup(bare);
  }
  const svg = phaseChartSvg('Cold start, where each millisecond goes (medians; npm run bench -- --scenario cold-start)', [
    ...(charts.tiny ?? []),
    ...(charts['text-recognition'] ?? []),
  ]);
  mkdirSync(join(BENCH_DIR, 'results'), { recursive: true });
  writeFileSync(join(BENCH_DIR, 'results', 'cold-start-phases.svg'), svg);
  log('wrote bench/results/cold-start-phases.svg');
  return rows;
}

/**
 * The Lambda bundle of the generic handler, built with serverless.yml's esbuild settings from
 * what a tensor model's function runs: the package entry `onnxless/lambda/tensor`
 * (lib/lambda/tensorHandler.ts), which the generated .onnxless/handlers/tensor.ts re-exports.
 */
async function buildBundle(): Promise<string> {
  const outfile = join(CACHE_DIR, 'dist', 'lambda', 'tensor.cjs');
  await build({
    entryPoints: [join(BENCH_DIR, '..', 'lib', 'lambda', 'tensorHandler.ts')],
    outfile,
    bundle: true,
    minify: true,
    keepNames: true,
    sourcemap: false,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: ['onnxruntime-node', 'sharp', ...DEPLOYED_EXTERNALS],
    logLevel: 'error',
  });
  return outfile;
}

async function bundleRows(world: World, reps: number, log: Log, env: Record<string, string>): Promise<Row[]> {
  const bundle = await buildBundle();
  const childEnv = { ...world.s3Env(), ...env, ONNXLESS_MODEL_URI: `s3://${BUCKET}/examples/tiny/1/`, ONNXLESS_CACHE_DIR: world.scratch() };
  const loads: ChildResult[] = [];
  const split: ChildResult[] = [];
  for (let rep = 0; rep < Math.max(reps, 5); rep++) {
    const result = await runChild('handlerBundleLoad', { bundle }, childEnv);
    loads.push(result);
    // The same require with the builtins it loaded required first, in their order: their time
    // apart from the bundle's own code.
    const preload = result.builtinsLoaded as string[];
    const apart = await runChild('handlerBundleLoad', { bundle, preload }, childEnv);
    split.push(apart);
    log(
      `${SCENARIO} handler bundle load rep ${rep + 1}: ${result.elapsedMs.toFixed(1)} ms, onnxruntime modules loaded: ${String(result.onnxruntimeModulesLoaded)}; ` +
        `builtins first: ${(apart.builtinsMs as number).toFixed(1)} ms (${preload.join(' ')}), then the bundle ${apart.elapsedMs.toFixed(1)} ms`,
    );
  }
  const profile = profileBundle(bundle, childEnv);
  log(`${SCENARIO} handler bundle --cpu-prof: ${JSON.stringify(profile)}`);
  const base = { scenario: SCENARIO, model: 'generic handler', unit: 'ms', baseline: side('budget', [BUNDLE_BUDGET_MS]) };
  return [
    row({
      ...base,
      metric: 'handler bundle load (require)',
      candidate: side(
        'onnxless/lambda/tensor (cjs)',
        loads.map((l) => l.elapsedMs),
      ),
      target: `<= ${BUNDLE_BUDGET_MS} ms`,
      check: (r) => r.candidate.summary.median <= BUNDLE_BUDGET_MS,
      details: {
        cpuProfile: profile,
        onnxruntimeModulesLoaded: loads.map((l) => l.onnxruntimeModulesLoaded),
        builtinsLoaded: loads[0]?.builtinsLoaded,
      },
    }),
    // That require's two parts, measured apart: Node's own builtins (a floor for any bundle that
    // needs them at load), then the bundle's code with them already loaded.
    row({
      ...base,
      metric: 'of which Node builtins, required alone',
      candidate: side(
        'its builtins',
        split.map((l) => l.builtinsMs as number),
      ),
    }),
    row({
      ...base,
      metric: 'of which the bundle code, builtins loaded',
      candidate: side(
        'onnxless/lambda/tensor (cjs)',
        split.map((l) => l.elapsedMs),
      ),
    }),
  ];
}

/** One --cpu-prof run of the bundle's require: self time in V8's compile of the file, in its evaluation, elsewhere. */
function profileBundle(bundle: string, env: Record<string, string>): Record<string, number> {
  const dir = join(CACHE_DIR, 'profiles', String(Date.now()));
  mkdirSync(dir, { recursive: true });
  execFileSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, '-e', `require(${JSON.stringify(bundle)})`], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return {};
  const p = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
    nodes: Array<{ id: number; callFrame: { functionName: string; url: string } }>;
    samples: number[];
    timeDeltas: number[];
  };
  rmSync(dir, { recursive: true, force: true });
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const out: Record<string, number> = { compileMs: 0, bundleCodeMs: 0, otherMs: 0 };
  p.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame;
    const ms = (p.timeDeltas[i] ?? 0) / 1000;
    const key =
      frame?.functionName === 'wrapSafe' || frame?.functionName === 'compileFunction'
        ? 'compileMs'
        : frame?.url.endsWith('tensor.cjs')
          ? 'bundleCodeMs'
          : 'otherMs';
    out[key] = (out[key] ?? 0) + ms;
  });
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Math.round(v * 10) / 10]));
}

/** Each variant `reps` times in fresh processes, the order rotated every repetition. */
async function alternate(
  world: World,
  model: string,
  variants: readonly Variant[],
  reps: number,
  log: Log,
): Promise<Map<string, ChildResult[]>> {
  const out = new Map<string, ChildResult[]>(variants.map((v) => [v.name, []]));
  for (let rep = 0; rep < reps; rep++) {
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(i + rep) % variants.length] as Variant;
      const dir = variant.dir ?? world.scratch();
      try {
        const result = await runChild(variant.child, variant.args(dir), variant.env(dir));
        out.get(variant.name)?.push(result);
        log(`${SCENARIO} ${model} rep ${rep + 1}/${reps} ${variant.name}: ${result.elapsedMs.toFixed(1)} ms`);
      } finally {
        if (!variant.dir) world.cleanup(dir);
      }
    }
  }
  return out;
}

const PHASES = [
  ['node boot', 'bootMs'],
  ['module load', 'importMs'],
  ['download + verify', 'downloadMs'],
  ['session create', 'createMs'],
  ['run + respond', 'runMs'],
] as const;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? ((s[Math.floor((s.length - 1) / 2)] as number) + (s[Math.ceil((s.length - 1) / 2)] as number)) / 2 : 0;
}

function medians(results: ChildResult[]): Record<string, number> {
  return Object.fromEntries(
    ['elapsedMs', ...PHASES.map(([, k]) => k)].map((k) => [k, Math.round(median(results.map((r) => Number(r[k] ?? 0))) * 10) / 10]),
  );
}

function phaseBar(label: string, results: ChildResult[]): PhaseBar {
  const m = medians(results);
  return { label, phases: PHASES.map(([name, key]) => ({ name, ms: m[key] ?? 0 })) };
}

function describe(facts: ModelFacts): Record<string, unknown> {
  return {
    bytes: facts.size,
    optimizedBytes: facts.optimized?.size,
    onnxruntime: facts.optimized?.onnxruntime,
    level: facts.optimized?.level,
  };
}
