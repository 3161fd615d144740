import { row, side, type Log, type Row } from '../lib/rows';
import type { World } from '../lib/world';
import { alternate, type Variant } from './cold';

/**
 * Memory: peak RSS of a cold start of the large model (download, session, run) against a
 * bare session created from the file's path and one run. Target: <= 1.15 x.
 */
export async function memoryScenario(world: World, reps: number, log: Log): Promise<Row[]> {
  const model = world.models.large;
  if (!model) return [];
  const variants: Variant[] = [
    {
      name: 'onnxless handler, cold',
      child: 'coldHandler',
      args: (m) => ({ event: world.events[m.name].json }),
      env: (m, dir) => world.handlerEnv(m, dir),
    },
    {
      name: 'bare session from path',
      child: 'sessionFromPath',
      args: (m) => ({ event: world.events[m.name].json, path: m.path }),
      env: () => ({}),
    },
  ];
  const results = await alternate(world, model, variants, reps, log, 'memory');
  const rss = (name: string): number[] => (results.get(name) ?? []).map((m) => m.result.maxRssKb / 1024);
  return [
    row({
      scenario: 'memory',
      model: model.name,
      metric: 'peak RSS, cold start',
      unit: 'MB',
      candidate: side('onnxless handler, cold', rss('onnxless handler, cold')),
      baseline: side('bare session from path', rss('bare session from path')),
      target: 'ratio <= 1.15',
      check: (r) => r.ratio <= 1.15,
    }),
  ];
}
