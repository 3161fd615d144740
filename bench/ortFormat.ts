/**
 * ORT-format models against the graphs a cold start loads otherwise, every example, in fresh
 * processes, the variants alternated within each repetition (`npx tsx bench/ortFormat.ts [reps]
 * [--creation-only]`; prints a markdown table, writes nothing under bench/results):
 * - session creation alone (bench/children/sessionCreation.ts) from `model.onnx`, the
 *   pre-optimised graph and `model.ort`, at the function's default level `all`;
 * - the generic handler's cold first response (coldStartPhases) from the local S3 server with an
 *   empty cache, the model pushed three ways: without graphs (loads `model.onnx`), as `onnxless
 *   push` pushes it (the pre-optimised graph) and with `--ort` (`model.ort`); the machine graph
 *   off in all three so they differ only in what is loaded, and on in a fourth (what ships).
 * With `--large`, the bench's 335.5 MB model too, session creation only (`--large-only`: it alone).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { manifestSha256, parseManifest, serializeManifest } from '../lib/core/sources/ModelManifest';
import { EXAMPLE_MODELS } from '../lib/tools/local/exampleWeights';
import { inspectModel, type ModelFacts } from '../lib/tools/store/inspectModel';
import { pushModel } from '../lib/tools/store/pushModel';
import { httpApiEvent } from '../test/support/httpApiEvent';
import { startLocalS3, TEST_CREDENTIALS } from '../test/support/localS3';
import { buildChildren, runChild, type ChildName } from './lib/children';
import { CACHE_DIR, prepareModels } from './lib/models';

const BUCKET = 'models';
const floats = (n: number) => Array.from({ length: n }, (_, i) => Math.round(Math.sin(i * 0.37) * 0.5 * 1e4) / 1e4);
const image = (h: number, w: number) => [{ name: 'x', shape: [1, 3, h, w], datatype: 'FP32', data: floats(3 * h * w) }];

/** Each example with one infer request of the shapes its pipeline feeds. */
const EXAMPLES: Record<string, unknown[]> = {
  tiny: image(48, 192),
  'text-recognition': image(48, 320),
  'ocr-detection': image(320, 320),
  'voice-activity': [
    { name: 'input', shape: [1, 512], datatype: 'FP32', data: floats(512) },
    { name: 'state', shape: [2, 1, 128], datatype: 'FP32', data: new Array(256).fill(0) },
    { name: 'sr', shape: [], datatype: 'INT64', data: [16000] },
  ],
  'text-embedding': [{ name: 'input_ids', shape: [1, 16], datatype: 'INT64', data: Array.from({ length: 16 }, (_, i) => 1 + i * 37) }],
};

type Variant = { name: string; child: ChildName; args: (dir: string) => object; env: (dir: string) => Record<string, string> };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');

async function main(): Promise<void> {
  const reps = Number(process.argv[2] ?? 9);
  const creationOnly = process.argv.includes('--creation-only');
  await buildChildren();
  const s3 = await startLocalS3([BUCKET]);
  const s3Env = {
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
  };
  const runs = join(CACHE_DIR, 'ort-runs');
  const lines = [`ORT format, ${reps} repetitions, fresh processes; load average at start ${load()}`, ''];
  lines.push(
    '| model | creation: .onnx / graph / .ort (ms) | .ort / graph | cold first response: .onnx / graph / .ort / as shipped (ms) | .ort / graph |',
  );
  lines.push('|---|---|---|---|---|');
  try {
    const large = process.argv.some((a) => a.startsWith('--large'))
      ? { large: [{ path: 'model.onnx', from: (await prepareModels(['large'])).large.path }] }
      : {};
    const models: Record<string, readonly { path: string; from: string }[] | undefined> = { ...EXAMPLE_MODELS, ...large };
    const only = process.argv.includes('--large-only') ? ['large'] : undefined;
    for (const [name, inputs] of [...Object.entries(EXAMPLES), ...Object.keys(large).map((n) => [n, undefined] as const)]) {
      if (only && !only.includes(name)) continue;
      const files = models[name];
      if (!files) continue;
      const facts = await inspectModel(files, name, { ort: true });
      const cold = !creationOnly && inputs !== undefined;
      const packages = cold ? await pushThreeWays(s3.setupClient, facts, name) : undefined;
      const event = join(CACHE_DIR, 'events', `ort-${name}.json`);
      mkdirSync(join(CACHE_DIR, 'events'), { recursive: true });
      writeFileSync(
        event,
        JSON.stringify(httpApiEvent('POST', '/v2/models/bench/infer', { body: JSON.stringify({ id: 'bench', inputs }) })),
      );
      const handler = (pkg: 'onnx' | 'graph' | 'ort', machineGraph: boolean): Variant => ({
        name: `${pkg}${machineGraph ? ', machine graph' : ''}`,
        child: 'coldStartPhases',
        args: () => ({ event, machineGraph }),
        env: (dir) => ({
          ...s3Env,
          ONNXLESS_MODEL_NAME: 'bench',
          AWS_LAMBDA_FUNCTION_NAME: 'bench',
          ONNXLESS_MODEL_URI: `s3://${BUCKET}/${packages![pkg].prefix}`,
          ONNXLESS_MODEL_SHA256: packages![pkg].sha256,
          ONNXLESS_CACHE_DIR: dir,
        }),
      });
      const creation = (label: string, path: string): Variant => ({
        name: `create ${label}`,
        child: 'sessionCreation',
        args: () => ({ path }),
        env: () => ({}),
      });
      const variants: Variant[] = [
        creation('onnx', files.find((f) => f.path === 'model.onnx')!.from),
        creation('graph', facts.optimized!.from),
        creation('ort', facts.ort!.from),
        ...(!cold ? [] : [handler('onnx', false), handler('graph', false), handler('ort', false), handler('graph', true)]),
      ];
      const ms = new Map<string, number[]>(variants.map((v) => [v.name, []]));
      // The handler's phases (coldStartPhases): where a difference in its first response comes from.
      const phases = new Map<string, Record<string, number[]>>();
      for (let i = 0; i < reps; i++) {
        for (const v of variants) {
          const dir = join(runs, `${name}-${i}-${v.name.replace(/\W+/g, '-')}`);
          mkdirSync(dir, { recursive: true });
          const result = await runChild(v.child, v.args(dir), v.env(dir));
          ms.get(v.name)!.push(result.elapsedMs);
          if (v.child === 'coldStartPhases') {
            const byPhase = phases.get(v.name) ?? {};
            for (const k of ['downloadMs', 'createMs', 'runMs']) (byPhase[k] ??= []).push(Number(result[k]));
            phases.set(v.name, byPhase);
          }
          execFileSync('rm', ['-rf', dir]);
        }
      }
      const m = (v: string) => median(ms.get(v) ?? []);
      const f = (...vs: string[]) => vs.map((v) => m(v).toFixed(1)).join(' / ');
      lines.push(
        `| ${name} | ${f('create onnx', 'create graph', 'create ort')} | ${(m('create ort') / m('create graph')).toFixed(2)} | ` +
          `${f('onnx', 'graph', 'ort', 'graph, machine graph')} | ${(m('ort') / m('graph')).toFixed(2)} |`,
      );
      console.error(lines.at(-1));
      for (const [v, byPhase] of phases) {
        const text = Object.entries(byPhase).map(([k, xs]) => `${k} ${median(xs).toFixed(1)}`);
        console.error(`  ${name}, ${v}: ${text.join(', ')}`);
      }
    }
  } finally {
    await s3.close();
    execFileSync('rm', ['-rf', runs]);
  }
  lines.push('', `load average at end ${load()}`);
  console.log(lines.join('\n'));
}

/** The model under `ort-bench/<name>-{onnx,graph,ort}/1/`: without graphs, with the pre-optimised graph, and with both graphs and model.ort. */
async function pushThreeWays(client: Parameters<typeof pushModel>[0], facts: ModelFacts, name: string) {
  const manifest = parseManifest(facts.manifestText, name);
  const texts = {
    onnx: serializeManifest({ ...manifest, optimized: undefined, ort: undefined }),
    graph: serializeManifest({ ...manifest, ort: undefined }),
    ort: facts.manifestText,
  };
  const out = {} as Record<keyof typeof texts, { prefix: string; sha256: string }>;
  for (const [pkg, text] of Object.entries(texts) as Array<[keyof typeof texts, string]>) {
    const prefix = `ort-bench/${name}-${pkg}/1/`;
    await pushModel(client, { ...facts, manifestText: text, sha256: manifestSha256(text) }, { bucket: BUCKET, prefix });
    out[pkg] = { prefix, sha256: manifestSha256(text) };
  }
  return out;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
