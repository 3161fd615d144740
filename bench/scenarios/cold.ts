import { runChild, type ChildName, type ChildResult } from '../lib/children';
import { row, side, type Log, type Row } from '../lib/rows';
import type { BenchModel } from '../lib/models';
import type { World } from '../lib/world';

const MB = 1024 * 1024;

interface Variant {
  name: string;
  /** Per-response bandwidth cap at the proxy for this variant's runs (default: the scenario's). */
  capBytesPerSecond?: number;
  child: ChildName;
  args: (model: BenchModel, dir: string) => object;
  env: (model: BenchModel, dir: string) => Record<string, string>;
}

/**
 * Cold start: the first response of a fresh process (download, session, run), from process
 * start. Candidate: the generic handler with an empty cache. Baselines: the lower bound (one
 * plain GetObject streamed to a file, a session from the path, one run) and the hand-rolled
 * handler (GetObject, transformToByteArray, a session from the bytes, one run).
 * Targets: <= 1.10 x the lower bound; peak RSS below the hand-rolled one's by >= 0.8 x the
 * model's size.
 */
export async function coldScenario(world: World, reps: number, log: Log, capBytesPerSecond = 0): Promise<Row[]> {
  world.s3.proxy.bytesPerSecond = capBytesPerSecond;
  try {
    return await coldRows(world, reps, log, capBytesPerSecond > 0 ? 'cold-capped' : 'cold');
  } finally {
    world.s3.proxy.bytesPerSecond = 0;
  }
}

async function coldRows(world: World, reps: number, log: Log, scenario: string): Promise<Row[]> {
  const variants: Variant[] = [
    {
      name: 'onnxless handler',
      child: 'coldHandler',
      args: (m) => ({ event: world.events[m.name].json }),
      env: (m, dir) => world.handlerEnv(m, dir),
    },
    {
      name: 'lower bound',
      child: 'coldLowerBound',
      args: (m, dir) => ({ event: world.events[m.name].json, key: world.keyOf(m), dir }),
      env: () => world.s3Env(),
    },
    {
      name: 'hand-rolled',
      child: 'coldHandRolled',
      args: (m) => ({ event: world.events[m.name].json, key: world.keyOf(m) }),
      env: () => world.s3Env(),
    },
  ];
  const rows: Row[] = [];
  for (const model of Object.values(world.models)) {
    const results = await alternate(world, model, variants, reps, log, scenario);
    const [candidate, lower, handRolled] = variants.map((v) => results.get(v.name) as Measured[]);
    const ms = (xs: Measured[]): number[] => xs.map((x) => x.result.elapsedMs);
    const rss = (xs: Measured[]): number[] => xs.map((x) => x.result.maxRssKb / 1024);
    const gets = {
      candidate: candidate?.map((x) => x.gets),
      lowerBound: lower?.map((x) => x.gets),
      handRolled: handRolled?.map((x) => x.gets),
    };
    const base = { scenario, model: model.name };
    const firstResponse = {
      ...base,
      metric: 'first response from process start',
      unit: 'ms',
      candidate: side('onnxless handler', ms(candidate ?? [])),
    };
    rows.push(
      row({
        ...firstResponse,
        baseline: side('lower bound', ms(lower ?? [])),
        target: 'ratio <= 1.10',
        check: (r) => r.ratio <= 1.1,
        details: { getsPerRun: gets, runs: runs({ candidate, lower, handRolled }) },
      }),
      row({ ...firstResponse, baseline: side('hand-rolled', ms(handRolled ?? [])) }),
      row({
        ...base,
        metric: 'peak RSS',
        unit: 'MB',
        candidate: side('onnxless handler', rss(candidate ?? [])),
        baseline: side('hand-rolled', rss(handRolled ?? [])),
        target: `>= ${((0.8 * model.bytes) / MB).toFixed(1)} MB lower (0.8 x model)`,
        check: (r) => -r.difference >= (0.8 * model.bytes) / MB,
      }),
    );
  }
  return rows;
}

export interface Measured {
  result: ChildResult;
  /** Object GETs the proxy saw during the run. */
  gets: number;
  /** Requests of any method (GET, HEAD) for the object during the run. */
  requests: number;
}

/** Run each variant `reps` times in fresh processes, rotating the order every repetition. */
export async function alternate(
  world: World,
  model: BenchModel,
  variants: readonly Variant[],
  reps: number,
  log: Log,
  label: string,
  dirFor?: (variant: Variant) => string | undefined,
): Promise<Map<string, Measured[]>> {
  const out = new Map<string, Measured[]>(variants.map((v) => [v.name, []]));
  for (let rep = 0; rep < reps; rep++) {
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(i + rep) % variants.length] as Variant;
      const fixed = dirFor?.(variant);
      const dir = fixed ?? world.scratch();
      world.s3.proxy.reset();
      const cap = world.s3.proxy.bytesPerSecond;
      if (variant.capBytesPerSecond !== undefined) world.s3.proxy.bytesPerSecond = variant.capBytesPerSecond;
      try {
        const result = await runChild(variant.child, variant.args(model, dir), variant.env(model, dir));
        const key = world.keyOf(model);
        const gets = world.s3.proxy.gets(key).length;
        const requests = world.s3.proxy.requests.filter((r) => r.path.endsWith(`/${key}`)).length;
        out.get(variant.name)?.push({ result, gets, requests });
        log(
          `${label} ${model.name} rep ${rep + 1}/${reps} ${variant.name}: ${result.elapsedMs.toFixed(1)} ms, ${(result.maxRssKb / 1024).toFixed(0)} MB, ${gets} GETs`,
        );
      } finally {
        world.s3.proxy.bytesPerSecond = cap;
        if (!fixed) world.cleanup(dir);
      }
    }
  }
  return out;
}

/** Per run: where the time went before the handler's work (Node boot, module init). */
export function runs(sets: Record<string, Measured[] | undefined>): Record<string, unknown[]> {
  const round = (x: unknown): number => Math.round(Number(x) * 10) / 10;
  return Object.fromEntries(
    Object.entries(sets).map(([name, xs]) => [
      name,
      (xs ?? []).map((x) => ({
        elapsedMs: round(x.result.elapsedMs),
        bootMs: round(x.result.bootMs),
        importMs: round(x.result.importMs),
        peakRssMB: round(x.result.maxRssKb / 1024),
      })),
    ]),
  );
}

export type { Variant };
