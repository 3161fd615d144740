import type { Tensor } from 'onnxruntime-node';
import { batchKey, batchRows, type TensorMap } from '../batching/BatchTensor';
import { onnxruntime } from '../onnx/onnxruntime';
import { concatFeeds, splitOutputs, UnsplittableOutputError } from '../batching/concatSplit';
import type { ModelRunner } from '../pipeline/Pipeline';

type Feeds = Record<string, Tensor>;

interface WaitingRun {
  runner: ModelRunner;
  feeds: Feeds;
  outputNames: readonly string[] | undefined;
  /** Runner, fetches and trailing shape: runs with equal keys may share one `run`; undefined runs alone. */
  key: string | undefined;
  rows: number;
  resolve: (outputs: Feeds) => void;
  reject: (err: unknown) => void;
}

/**
 * The model runs of several items of one batch invocation, stacked along the batch dimension: one
 * `session.run` for the items whose inputs have the same shape, instead of one per item. The items
 * run through the routes concurrently (`join`); each run they ask for waits until every item still
 * in flight has either asked for its run or finished (a corrupt item fails in its decoding and
 * leaves without one), then runs with the others of its shape, at most `maxRows` rows at a time,
 * and gets back its own rows. A pipeline that runs the model several times does so in lockstep
 * with the others.
 *
 * Each item's answer stays the one it gets alone: only runs of identical trailing shapes are
 * stacked (nothing is padded), and onnxruntime computes each row of such a run as it computes a
 * run of that row alone (bit for bit, checked on the text recogniser by
 * test/integration/batch/stackedRuns.test.ts). A stacked run that fails is run again item by item,
 * so one bad input fails alone; a model whose outputs are not batched along the first dimension
 * has its runs made one by one from then on.
 */
export class StackedRuns {
  private inFlight = 0;
  private waiting: WaitingRun[] = [];
  private stacking = true;
  private dispatchQueued = false;
  /** Runs of different models (a pipeline's members) never share a run. */
  private readonly runnerIds = new Map<ModelRunner, number>();

  constructor(private readonly maxRows: number) {}

  /** Runs one item's request; its model runs go through `view` and wait for the other items'. */
  async join<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await work();
    } finally {
      this.inFlight--;
      this.queueDispatch();
    }
  }

  /** The runner as an item's pipeline sees it: `run` joins the next stacked run. */
  view(runner: ModelRunner): ModelRunner {
    if (!this.runnerIds.has(runner)) this.runnerIds.set(runner, this.runnerIds.size);
    const id = this.runnerIds.get(runner)!;
    const batchable = hasFreeBatchDimension(runner);
    return {
      inputs: runner.inputs,
      outputs: runner.outputs,
      files: runner.files,
      run: (feeds, outputNames) =>
        new Promise<Feeds>((resolve, reject) => {
          const rows = batchable ? batchRows(feeds) : undefined;
          const key = rows === undefined ? undefined : `${id}|${(outputNames ?? []).join(',')}|${batchKey(feeds)}`;
          this.waiting.push({ runner, feeds, outputNames, key, rows: rows ?? 0, resolve, reject });
          this.queueDispatch();
        }),
    };
  }

  /** After the current turn's code: items joined in one loop all count before the first run goes. */
  private queueDispatch(): void {
    if (this.dispatchQueued) return;
    this.dispatchQueued = true;
    queueMicrotask(() => {
      this.dispatchQueued = false;
      this.dispatch();
    });
  }

  /** Once every item in flight waits on a run (or none is left), runs what waits, stacked by shape. */
  private dispatch(): void {
    if (this.waiting.length === 0 || this.waiting.length < this.inFlight) return;
    const ready = this.waiting.splice(0);
    const groups = new Map<string, WaitingRun[][]>();
    for (const run of ready) {
      if (run.key === undefined || !this.stacking) {
        void this.runAlone(run);
        continue;
      }
      const chunks = groups.get(run.key) ?? [[]];
      groups.set(run.key, chunks);
      let last = chunks[chunks.length - 1]!;
      if (last.length > 0 && rowsOf(last) + run.rows > this.maxRows) chunks.push((last = []));
      last.push(run);
    }
    for (const chunk of [...groups.values()].flat()) void (chunk.length === 1 ? this.runAlone(chunk[0]!) : this.runStacked(chunk));
  }

  private async runAlone(run: WaitingRun): Promise<void> {
    try {
      run.resolve(await run.runner.run(run.feeds, run.outputNames));
    } catch (err) {
      run.reject(err);
    }
  }

  private async runStacked(chunk: WaitingRun[]): Promise<void> {
    const head = chunk[0]!;
    let parts: TensorMap[];
    try {
      const feeds = concatFeeds(chunk.map((r) => r.feeds as TensorMap));
      const stackedFeeds = Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, asTensor(t)]));
      const outputs = await head.runner.run(stackedFeeds, head.outputNames);
      parts = splitOutputs(
        outputs as TensorMap,
        chunk.map((r) => r.rows),
      );
    } catch (err) {
      // One bad input must not fail its neighbours: each runs again alone and gets its own answer.
      if (err instanceof UnsplittableOutputError) this.stacking = false;
      await Promise.all(chunk.map((r) => this.runAlone(r)));
      return;
    }
    chunk.forEach((run, i) => run.resolve(Object.fromEntries(Object.entries(parts[i]!).map(([name, t]) => [name, asTensor(t)]))));
  }
}

function rowsOf(runs: readonly WaitingRun[]): number {
  return runs.reduce((sum, r) => sum + r.rows, 0);
}

/** Every input's first dimension is free (symbolic or -1): the model takes any number of rows. */
function hasFreeBatchDimension(runner: ModelRunner): boolean {
  return runner.inputs.length > 0 && runner.inputs.every((input) => typeof input.shape[0] === 'string' || input.shape[0] === -1);
}

/** onnxruntime through its lazy loader: a value import here would load its native binding with the handler's module, before the cold start's download. */
function asTensor(t: TensorMap[string]): Tensor {
  const { Tensor: OrtTensor } = onnxruntime();
  if (t instanceof OrtTensor) return t;
  return new OrtTensor(t.type as Tensor.Type, t.data as Tensor.DataType, t.dims);
}
