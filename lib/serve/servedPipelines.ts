import type { ServeConfig } from './config';
import type { ServedModel } from './ServedModel';
import { ServedPipeline } from './ServedPipeline';
import type { ProcessingPool } from './processingPool/ProcessingPool';

/**
 * The server's pipelines of models: each a ServedPipeline over its members' ServedModels, so a
 * member's session runs go through that member's batcher in the inference threads, where the
 * recognition crops of concurrent requests are batched together, and the glue between the runs
 * (decoding, DB boxes, crops) runs on a processing thread, not the HTTP thread.
 */
export async function servedPipelines(
  config: ServeConfig,
  models: readonly ServedModel[],
  processing: ProcessingPool,
): Promise<ServedPipeline[]> {
  const entries = Object.entries(config.pipelines ?? {});
  if (entries.length === 0) return [];
  // Loaded only when a pipeline is served: its image steps need sharp.
  const { getMultiModelPipeline } = await import('../core/builtins/multiModel');
  return entries.map(([name, entry]) => {
    const members = Object.fromEntries(
      Object.entries(entry.models).map(([role, model]) => {
        const member = models.find((m) => m.name === model);
        if (!member) throw new Error(`pipeline '${name}': its ${role} model '${model}' is not among the served models`);
        return [role, member];
      }),
    );
    return new ServedPipeline({ name, pipelineName: entry.pipeline, pipeline: getMultiModelPipeline(entry.pipeline), members, processing });
  });
}
