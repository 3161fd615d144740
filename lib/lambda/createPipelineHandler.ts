import type { MultiModelPipeline } from '../core/pipeline/MultiModelPipeline';
import { Router } from '../core/http/routes';
import { sinkFromEnv } from '../core/observability/sinkFromEnv';
import { ModelService } from '../core/inference/ModelService';
import { PipelineService } from '../core/inference/PipelineService';
import { createModelLoader, lambdaEntry, type HandlerOptions, type LambdaHandler } from './createLambdaHandler';
import type { PipelineConfig } from './pipelineConfigFromEnv';
import { lambdaJobsFromEnv } from './lambdaJobs';

/**
 * A Lambda entry point for a pipeline of models: one function holds every member's session.
 * `POST /models/{pipeline}/predict` runs the whole pipeline; each member keeps its own OIP routes
 * (`/v2/models/{member}/...`) on the same function and the same sessions, so a stage can be
 * debugged with raw tensors. With `eager`, every member loads at once in the init phase.
 */
export function createPipelineHandler(
  config: PipelineConfig,
  options: Omit<HandlerOptions, 'pipeline'> & { pipeline: MultiModelPipeline },
): LambdaHandler {
  const sink = options.sink ?? sinkFromEnv(config.observability ?? {});
  const members: Record<string, ModelService> = {};
  for (const [role, member] of Object.entries(config.members)) {
    const loader = createModelLoader(member, config, options, sink);
    members[role] = new ModelService({ name: member.name, version: member.version, loader, limits: config.limits });
  }
  const service = new PipelineService({ name: config.name, pipeline: options.pipeline, members });
  const jobs = lambdaJobsFromEnv();
  const router = new Router([service, ...Object.values(members)], { sink, jobs });
  if (config.eager) service.load().catch(() => {});
  return lambdaEntry(router, service, config, jobs);
}
