import { dirname } from 'node:path';
import { RequestTiming } from '../../core/observability/RequestTiming';
import { getPipeline } from '../../core/builtins/index';
import { ModelService } from '../../core/inference/ModelService';
import type { LoadedModel, Loader } from '../../core/onnx/Loader';
import { ModelFiles } from '../../core/onnx/ModelFiles';
import { PooledRunner } from '../PooledRunner';
import { PooledSession } from '../PooledSession';
import { PortBatcher } from '../processingPool/PortBatcher';
import { RunClock } from '../../core/inference/RunClock';
import { RunTimes } from '../../core/inference/RunTimes';
import type { ModelRunner } from '../../core/pipeline/Pipeline';
import {
  toWireError,
  type ModelView,
  type PipelineTask,
  type ProcessingReply,
  type ProcessingTask,
} from '../processingPool/processingProtocol';

/**
 * One processing thread: a request's whole model call but the session run, with the same
 * ModelService code the Lambda handler runs, so the three ways of serving answer alike. The
 * service here sees the model as already loaded (the HTTP thread loaded it before sending the
 * task); its runner's session runs travel back to the HTTP thread's batcher.
 */
export default async function handle(task: ProcessingTask): Promise<ProcessingReply> {
  const timing = new RequestTiming();
  const body = Buffer.from(task.body.buffer, task.body.byteOffset, task.body.byteLength);
  try {
    if (task.kind === 'pipeline') {
      const result = await predictPipeline(task, body, timing);
      return { ok: true, kind: 'predict', result, phases: phasesOf(timing) };
    }
    const service = serviceFor(task.model, new PortBatcher(task.port));
    if (task.kind === 'infer') {
      const encoded = await service.inferBody(
        { body, contentType: task.contentType, headerLength: task.headerLength },
        { timing, receivedAt: task.receivedAt },
      );
      return { ok: true, kind: 'infer', json: encoded.json, binary: encoded.binary, phases: phasesOf(timing) };
    }
    const result = await service.predict({ contentType: task.contentType, body, query: task.query }, { timing });
    return { ok: true, kind: 'predict', result, phases: phasesOf(timing) };
  } catch (err) {
    return { ok: false, error: toWireError(err), phases: phasesOf(timing) };
  } finally {
    task.port.close();
  }
}

/**
 * A pipeline of models' predict call (PipelineService's, on this thread): each role's runner is a
 * PooledRunner whose runs travel back, tagged with the role, to that member's batcher.
 */
async function predictPipeline(task: PipelineTask, body: Buffer, timing: RequestTiming): Promise<unknown> {
  // Loaded only when a pipeline is served: its image steps need sharp.
  const { getMultiModelPipeline } = await import('../../core/builtins/multiModel');
  const graph = getMultiModelPipeline(task.pipeline);
  const batcher = new PortBatcher(task.port);
  const clock = new RunClock();
  const runners: Record<string, ModelRunner> = {};
  for (const [role, view] of Object.entries(task.members)) {
    const runner = new PooledRunner(new PooledSession(view.inputs, view.outputs, batcher.queueFor(role)), filesOf(view.filesDir));
    runners[role] = clock.wrap(runner, new RunTimes(), () => undefined);
  }
  try {
    return await graph.predict({ contentType: task.contentType, body, query: task.query }, runners);
  } finally {
    clock.report(timing);
  }
}

/** One ModelFiles per model directory and thread: companion files are read once, not per request. */
const filesByDir = new Map<string, ModelFiles>();

function filesOf(dir: string | undefined): ModelFiles | undefined {
  if (dir === undefined) return undefined;
  let files = filesByDir.get(dir);
  if (!files) filesByDir.set(dir, (files = new ModelFiles(dir)));
  return files;
}

function serviceFor(model: ModelView, batcher: PortBatcher): ModelService {
  const runner = new PooledRunner(new PooledSession(model.inputs, model.outputs, batcher), filesOf(model.filesDir));
  const loaded: LoadedModel = {
    runner,
    weights: { path: model.graphPath, dir: model.filesDir ?? dirname(model.graphPath), origin: 'cache' },
    loadMs: 0,
  };
  // The HTTP thread loaded the model before sending the task: here it is always in.
  const loader: Loader = { current: loaded, load: async () => loaded };
  return new ModelService({
    name: model.name,
    version: model.version,
    limits: model.limits,
    loader,
    pipeline: model.pipeline === undefined ? undefined : getPipeline(model.pipeline),
  });
}

function phasesOf(timing: RequestTiming): Extract<ProcessingReply, { ok: true }>['phases'] {
  const { total: _total, ...phases } = timing.durations();
  return phases;
}
