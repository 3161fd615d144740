import { runChild } from '../lib/children';
import { row, side, type Log, type Row } from '../lib/rows';
import type { ModelName } from '../lib/models';
import type { World } from '../lib/world';

/** Per model: calls per block and blocks per process, sized so each process runs ~10 s here. */
const SIZING: Record<ModelName, { blocks: number; perBlock: number }> = {
  tiny: { blocks: 10, perBlock: 300 },
  recognition: { blocks: 6, perBlock: 5 },
  large: { blocks: 8, perBlock: 10 },
};

/**
 * Warm overhead: the handler (API Gateway v2 event in, response out; JSON and binary) against
 * bare session.run on the same input, in the same warm process. Targets: ratio <= 1.05 for
 * the recognition and large models; <= 250 microseconds added for the tiny one.
 */
export async function warmScenario(world: World, reps: number, log: Log): Promise<Row[]> {
  const rows: Row[] = [];
  for (const model of Object.values(world.models)) {
    const perCall: Record<'bare' | 'json' | 'binary', number[]> = { bare: [], json: [], binary: [] };
    for (let rep = 0; rep < reps; rep++) {
      const result = await runChild('warm', {
        modelPath: model.path,
        jsonEvent: world.events[model.name].json,
        binaryEvent: world.events[model.name].binary,
        ...SIZING[model.name],
      });
      const blocks = result.blockMedians as Record<keyof typeof perCall, number[]>;
      for (const k of Object.keys(perCall) as Array<keyof typeof perCall>) perCall[k].push(...blocks[k]);
      log(`warm ${model.name} rep ${rep + 1}/${reps}: ${JSON.stringify(result.medianMs)}`);
    }
    const tiny = model.name === 'tiny';
    for (const variant of ['json', 'binary'] as const) {
      const scale = tiny ? 1000 : 1;
      rows.push(
        row({
          scenario: 'warm',
          model: model.name,
          metric: `handler call, ${variant === 'json' ? 'JSON' : 'binary tensors'}`,
          unit: tiny ? 'us' : 'ms',
          candidate: side(
            `handler (${variant})`,
            perCall[variant].map((x) => x * scale),
          ),
          baseline: side(
            'session.run',
            perCall.bare.map((x) => x * scale),
          ),
          target: tiny ? '<= 250 us added' : 'ratio <= 1.05',
          check: (r) => (tiny ? r.difference <= 250 : r.ratio <= 1.05),
          note: 'samples: median per block of calls; blocks alternate the three variants',
        }),
      );
    }
  }
  return rows;
}
