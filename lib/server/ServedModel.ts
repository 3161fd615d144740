import { BadRequestError, OnnxlessError } from '../errors';
import { ModelService, type ModelServiceOptions } from '../service/ModelService';
import type { PooledModelLoader } from './PooledModelLoader';

/**
 * A ModelService whose runs go through a queue and worker threads. ModelService reads any
 * failure of `run` as the caller's input being refused (400); here a run can also fail
 * because the queue is full (429) or a worker could not create its session (503). Those keep
 * their own status: the 400 is unwrapped back to the error that caused it.
 */
export class ServedModel extends ModelService {
  constructor(options: ModelServiceOptions & { loader: PooledModelLoader }) {
    super(options);
  }

  get pooledLoader(): PooledModelLoader {
    return this.loader as PooledModelLoader;
  }

  override async infer(...args: Parameters<ModelService['infer']>): ReturnType<ModelService['infer']> {
    try {
      return await super.infer(...args);
    } catch (err) {
      if (err instanceof BadRequestError && err.cause instanceof OnnxlessError) throw err.cause;
      throw err;
    }
  }
}
