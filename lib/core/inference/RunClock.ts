import type { RequestTiming } from '../observability/RequestTiming';
import type { ModelRunner } from '../pipeline/Pipeline';
import type { RunTimes } from './RunTimes';

/**
 * Times a domain route's steps through the runners it is handed: time in `run` is inference,
 * time before the first run preprocess, the rest postprocess (for a recurrent model or a pipeline
 * of models that includes the glue between runs). Each run is checked first (`beforeRun`: the
 * deadline), so a long request stops with a 504 instead of being cut off by Lambda.
 */
export class RunClock {
  private readonly started = performance.now();
  private firstRun?: number;
  private inference = 0;

  /**
   * The runner as the pipeline sees it: the same session, every run checked and timed. A whole
   * loop (where the runner has `runLoop`) is checked once and recorded as its mean step.
   */
  wrap(runner: ModelRunner, runTimes: RunTimes, beforeRun: () => void): ModelRunner {
    const timed = async <T>(steps: number, call: () => Promise<T>): Promise<T> => {
      beforeRun();
      const started = performance.now();
      this.firstRun ??= started;
      try {
        const out = await call();
        if (steps > 0) runTimes.record((performance.now() - started) / steps);
        return out;
      } finally {
        this.inference += performance.now() - started;
      }
    };
    const runLoop = runner.runLoop?.bind(runner);
    return {
      inputs: runner.inputs,
      outputs: runner.outputs,
      files: runner.files,
      run: (feeds, outputNames) => timed(1, () => runner.run(feeds, outputNames)),
      ...(runLoop ? { runLoop: (loop) => timed(loop.frames.length, () => runLoop(loop)) } : {}),
    };
  }

  /** Adds the request's preprocess, inference and postprocess times. */
  report(timing: RequestTiming): void {
    const total = performance.now() - this.started;
    const preprocess = (this.firstRun ?? this.started + total) - this.started;
    timing.add('preprocess', preprocess);
    if (this.firstRun !== undefined) {
      timing.add('inference', this.inference);
      timing.add('postprocess', Math.max(0, total - preprocess - this.inference));
    }
  }
}
