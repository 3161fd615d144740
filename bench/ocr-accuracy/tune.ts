/**
 * The OCR tuning loop: the pipeline in-process (createOcr over real onnxruntime sessions of the
 * three PP-OCRv4 models, no HTTP), on the tuning pages only unless told otherwise, scored by the
 * bench's scorer. Seconds per try instead of the bench's minutes; the bench judges the result.
 *
 *   npx tsx bench/ocr-accuracy/tune.ts                              # tuning pages, shipped options
 *   npx tsx bench/ocr-accuracy/tune.ts --options '{"cropMargin":0}' # OcrOptions as JSON
 *   npx tsx bench/ocr-accuracy/tune.ts --split held-out --pages long-lines --worst 5
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { createOcr, type OcrModel, type OcrOptions } from '../../lib/core/builtins/ocr';
import { ModelFiles } from '../../lib/core/onnx/ModelFiles';
import type { ModelRunner, TensorSpec } from '../../lib/core/pipeline/Pipeline';
import { EXAMPLE_WEIGHTS } from '../../lib/tools/local/exampleWeights';
import { loadEvalSet, pagePath, type EvalPage } from './evalSet';
import { addCounts, rates, scorePage, type Counts, type PageResult } from './score';

const { values } = parseArgs({
  options: {
    options: { type: 'string', default: '{}' },
    split: { type: 'string', default: 'tuning' },
    pages: { type: 'string' },
    worst: { type: 'string', default: '0' },
    threads: { type: 'string', default: '1' },
    /** Exploration only: the recogniser's input remapped from [-1, 1] to [0, 1] (gutenye's x / 255). */
    unit: { type: 'boolean', default: false },
  },
});

async function runner(path: string, threads: number): Promise<ModelRunner> {
  const session = await InferenceSession.create(path, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  const specs = (metadata: readonly InferenceSession.ValueMetadata[]): TensorSpec[] =>
    metadata.map((m) => ({
      name: m.name,
      type: m.isTensor ? m.type : 'unknown',
      shape: m.isTensor ? m.shape.map((d) => (typeof d === 'number' ? d : -1)) : [],
    }));
  return {
    files: new ModelFiles(dirname(path)),
    inputs: specs(session.inputMetadata),
    outputs: specs(session.outputMetadata),
    run: (feeds, names) => (names === undefined ? session.run(feeds) : session.run(feeds, [...names])),
  };
}

const percent = (x: number) => `${(100 * x).toFixed(1)} %`;
const summary = (c: Counts) => {
  const r = rates(c);
  return `CER ${percent(r.cer)}  no-space ${percent(r.cerNoSpaces)}  found ${percent(r.linesFound)} (${c.found}/${c.lines})  extra ${c.extra}`;
};

async function main() {
  const threads = Number(values.threads);
  const models: Record<OcrModel, ModelRunner> = {
    detection: await runner(EXAMPLE_WEIGHTS['ocr-detection']!, threads),
    orientation: await runner(EXAMPLE_WEIGHTS['ocr-orientation']!, threads),
    recognition: await runner(EXAMPLE_WEIGHTS['ocr-recognition']!, threads),
  };
  if (values.unit) {
    const rec = models.recognition;
    models.recognition = {
      ...rec,
      run: (feeds, names) => {
        const [name, x] = Object.entries(feeds)[0]!;
        const data = x.data as Float32Array;
        const unit = new Float32Array(data.length);
        for (let i = 0; i < data.length; i++) unit[i] = (data[i]! + 1) / 2;
        return rec.run({ [name]: new Tensor('float32', unit, x.dims) }, names);
      },
    };
  }
  // Time in each model's runs (a run blocks the thread: its wall time is its cost).
  const modelMs: Record<OcrModel, number> = { detection: 0, orientation: 0, recognition: 0 };
  for (const role of Object.keys(models) as OcrModel[]) {
    const inner = models[role];
    models[role] = {
      ...inner,
      run: async (feeds, names) => {
        const t = performance.now();
        const out = await inner.run(feeds, names);
        modelMs[role] += performance.now() - t;
        return out;
      },
    };
  }
  const options = JSON.parse(values.options) as OcrOptions;
  const ocr = createOcr({ timeBudgetMs: 600_000, maxRecognitionWidth: 10_000_000, ...options } as OcrOptions);
  const filter = values.pages === undefined ? undefined : new RegExp(values.pages);
  const pages = loadEvalSet().pages.filter(
    (p: EvalPage) => (values.split === 'all' || p.split === values.split) && (!filter || filter.test(p.id)),
  );
  const results: { page: EvalPage; result: PageResult; ms: number; cpuMs: number }[] = [];
  for (const page of pages) {
    const body = readFileSync(pagePath(page));
    const started = performance.now();
    const cpu = process.cpuUsage();
    const answer = await ocr.predict({ contentType: 'image/jpeg', body, query: {} }, models);
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    const result = scorePage(
      page.lines,
      answer.lines.map((l) => ({ text: l.text, box: l.box })),
    );
    results.push({ page, result, ms, cpuMs });
    console.log(`${page.id.padEnd(20)} ${summary(result)}  ${ms.toFixed(0)} ms (cpu ${cpuMs.toFixed(0)} ms)`);
  }
  const worst = Number(values.worst);
  if (worst > 0) {
    for (const { page, result } of results) {
      const rows = result.rows.filter((r) => r.errors > 0).sort((a, b) => b.errors - a.errors);
      if (rows.length === 0) continue;
      console.log(`\n${page.id}`);
      for (const r of rows.slice(0, worst)) console.log(`  truth: ${JSON.stringify(r.truth)}\n  read:  ${JSON.stringify(r.read)}`);
      for (const e of result.extraTexts.slice(0, worst)) console.log(`  extra: ${JSON.stringify(e)}`);
    }
  }
  const mean = (key: 'ms' | 'cpuMs') => results.reduce((n, r) => n + r[key], 0) / Math.max(1, results.length);
  console.log(
    `\nTOTAL ${values.split} (${results.length} pages): ${summary(addCounts(results.map((r) => r.result)))}  ` +
      `${mean('ms').toFixed(0)} ms/page (cpu ${mean('cpuMs').toFixed(0)} ms)`,
  );
  const per = (role: OcrModel) => `${role} ${(modelMs[role] / Math.max(1, results.length)).toFixed(0)}`;
  console.log(`model runs, ms/page: ${(Object.keys(modelMs) as OcrModel[]).map(per).join(', ')}`);
}

await main();
