import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { runChild } from '../lib/children';
import { row, side, type Log, type Row } from '../lib/rows';
import type { World } from '../lib/world';
import { alternate, runs, type Variant } from './cold';

/**
 * Warm sandbox: a fresh process whose /tmp already holds verified weights (the sha256 is
 * pinned, so not even a HEAD is needed). Candidate: the handler's first response. Baseline:
 * a bare session from that same file and one run. Targets: zero GETs of the body; time
 * <= 1.05 x the bare session.
 */
export async function warmSandboxScenario(world: World, reps: number, log: Log): Promise<Row[]> {
  const rows: Row[] = [];
  for (const model of Object.values(world.models)) {
    // One cold start fills the cache that every measured run then finds; a second, the sandbox's
    // first restart, writes this machine's graph (sessionFromWeights.ts), as a restart finds it.
    const cacheDir = world.scratch();
    for (let start = 0; start < 2; start++) {
      await runChild('coldHandler', { event: world.events[model.name].json }, world.handlerEnv(model, cacheDir));
    }
    const cached = findModelFile(cacheDir);
    const variants: Variant[] = [
      {
        name: 'onnxless handler, cached',
        child: 'coldHandler',
        args: (m) => ({ event: world.events[m.name].json }),
        env: (m) => world.handlerEnv(m, cacheDir),
      },
      {
        name: 'bare session from path',
        child: 'sessionFromPath',
        args: (m) => ({ event: world.events[m.name].json, path: cached }),
        env: () => ({}),
      },
    ];
    const results = await alternate(world, model, variants, reps, log, 'warm-sandbox', () => cacheDir);
    world.cleanup(cacheDir);
    const candidate = results.get('onnxless handler, cached') ?? [];
    const bare = results.get('bare session from path') ?? [];
    const gets = candidate.map((m) => m.gets);
    const requests = candidate.map((m) => m.requests);
    rows.push(
      row({
        scenario: 'warm-sandbox',
        model: model.name,
        metric: 'first response, weights in /tmp',
        unit: 'ms',
        candidate: side(
          'onnxless handler, cached',
          candidate.map((m) => m.result.elapsedMs),
        ),
        baseline: side(
          'bare session from path',
          bare.map((m) => m.result.elapsedMs),
        ),
        target: 'ratio <= 1.05, 0 GETs',
        check: (r) => r.ratio <= 1.05 && gets.every((g) => g === 0),
        details: { bodyGetsPerRun: gets, requestsPerRun: requests, runs: runs({ candidate, bare }) },
      }),
    );
  }
  return rows;
}

function findModelFile(cacheDir: string): string {
  for (const sub of readdirSync(cacheDir)) {
    for (const name of readdirSync(join(cacheDir, sub))) if (name.endsWith('.onnx')) return join(cacheDir, sub, name);
  }
  throw new Error(`no cached model in ${cacheDir}`);
}
