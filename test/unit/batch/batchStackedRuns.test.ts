import { Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { StackedRuns } from '../../../lib/core/batch/StackedRuns';
import type { ModelRunner } from '../../../lib/core/pipeline/Pipeline';

/**
 * A stand-in model (pure logic: the stacking, not onnxruntime): `y = 2x` row by row over
 * `x: [batch, width]`; a row holding a negative number makes the whole run fail, as a model
 * refusing one input would. Each call is recorded with its rows.
 */
function doubling(options: { batched?: boolean; splittable?: boolean } = {}): ModelRunner & { calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    inputs: [{ name: 'x', type: 'float32', shape: [options.batched === false ? 1 : 'batch', 'width'] }],
    outputs: [{ name: 'y', type: 'float32', shape: ['batch', 'width'] }],
    run: async (feeds) => {
      const x = feeds.x!;
      calls.push(x.dims[0]!);
      const data = x.data as Float32Array;
      if (data.some((v) => v < 0)) throw new Error('negative input');
      const y = data.map((v) => v * 2);
      // Unsplittable: the output is one row, whatever the rows in.
      return { y: new Tensor('float32', y, options.splittable === false ? [1, y.length] : x.dims) };
    },
  };
}

const row = (...values: number[]) => new Tensor('float32', Float32Array.from(values), [1, values.length]);

/** Each item: an optional wait (its decoding), then one run through the stack's view. */
async function items(stack: StackedRuns, runner: ModelRunner, inputs: Array<Tensor | undefined>): Promise<Array<number[] | string>> {
  return Promise.all(
    inputs.map((x, i) =>
      stack.join(async () => {
        await new Promise((r) => setTimeout(r, 3 * i));
        if (x === undefined) return 'corrupt: no run';
        try {
          const out = await stack.view(runner).run({ x });
          return [...(out.y!.data as Float32Array)];
        } catch (err) {
          return `failed: ${(err as Error).message}`;
        }
      }),
    ),
  );
}

describe('StackedRuns: the model runs of a batch invocation, stacked', () => {
  it('waits for every item in flight, runs those of one shape together in chunks of maxRows, and hands each its own rows', async () => {
    const runner = doubling();
    const answers = await items(new StackedRuns(4), runner, [
      row(1, 2),
      row(3, 4),
      undefined,
      row(5, 6),
      row(7, 8),
      row(9, 10),
      row(1, 2, 3),
    ]);
    expect(answers).toEqual([[2, 4], [6, 8], 'corrupt: no run', [10, 12], [14, 16], [18, 20], [2, 4, 6]]);
    // 5 rows of width 2 in chunks of at most 4, and the width-3 row alone: 3 runs instead of 6.
    expect(runner.calls.sort()).toEqual([1, 1, 4]);
  });

  it('runs a stacked run that failed again item by item: the bad input fails alone, its neighbours get their answers', async () => {
    const runner = doubling();
    const answers = await items(new StackedRuns(8), runner, [row(1), row(-1), row(3)]);
    expect(answers).toEqual([[2], 'failed: negative input', [6]]);
    expect(runner.calls).toEqual([3, 1, 1, 1]);
  });

  it('never stacks a model whose batch dimension is fixed, and stops stacking one whose outputs cannot be split by rows', async () => {
    const fixed = doubling({ batched: false });
    expect(await items(new StackedRuns(8), fixed, [row(1), row(2)])).toEqual([[2], [4]]);
    expect(fixed.calls).toEqual([1, 1]);

    const unsplittable = doubling({ splittable: false });
    const stack = new StackedRuns(8);
    expect(await items(stack, unsplittable, [row(1), row(2)])).toEqual([[2], [4]]);
    expect(await items(stack, unsplittable, [row(3), row(4)])).toEqual([[6], [8]]);
    // One stacked try, its two items again alone, then one by one.
    expect(unsplittable.calls).toEqual([2, 1, 1, 1, 1]);
  });

  it('runs a pipeline that runs its model twice in lockstep with the others', async () => {
    const runner = doubling();
    const stack = new StackedRuns(8);
    const twice = (x: Tensor) =>
      stack.join(async () => {
        const view = stack.view(runner);
        const once = (await view.run({ x })).y!;
        return [...((await view.run({ x: once })).y!.data as Float32Array)];
      });
    expect(await Promise.all([twice(row(1)), twice(row(2)), twice(row(3))])).toEqual([[4], [8], [12]]);
    expect(runner.calls).toEqual([3, 3]);
  });
});
