import { parseBatchEvent } from '../core/batch/BatchEvent';
import type { BatchObjectStore } from '../core/batch/BatchObjectStore';
import type { BatchSummary } from '../core/batch/BatchSummary';
import { processBatch } from '../core/batch/processBatch';
import { SdkBatchStore } from '../core/batch/SdkBatchStore';
import { publicErrorOf } from '../core/errors';
import type { Router } from '../core/http/routes';
import { deadlineFromLambdaContext } from '../core/inference/Deadline';
import type { Endpoint } from '../core/inference/Endpoint';
import { requireS3Sdk } from '../core/sources/requireS3Sdk';
import { s3ClientConfig } from '../core/sources/s3ClientConfig';
import type { FunctionSettings } from './modelConfigFromEnv';

/** The part of Lambda's context a batch reads. */
interface BatchContext {
  awsRequestId?: string;
  getRemainingTimeInMillis?: () => number;
}

/**
 * A Distributed Map batch event (lib/core/batch/BatchEvent.ts) on a model's function: its items
 * through the function's own router, answered with the batch's summary, which Step Functions keeps
 * as the child execution's output (and the ResultWriter writes). The budget is the invocation's
 * remaining time: no API Gateway cap applies to a direct invoke. An event of the wrong shape fails
 * the invocation (the Map counts the batch failed); an item's failure is in the summary.
 */
export function batchEntry(
  router: Router,
  target: Endpoint,
  config: Pick<FunctionSettings, 'safetyMarginMs' | 'batchItemsPerRun'>,
  store: () => BatchObjectStore = defaultBatchStore,
): (event: unknown, context?: BatchContext) => Promise<BatchSummary> {
  return async (event, context) => {
    try {
      return await processBatch(
        parseBatchEvent(event),
        { model: target.name, router, maxBodyBytes: target.limits.maxBodyBytes, store: store() },
        {
          deadline: deadlineFromLambdaContext(context, { safetyMarginMs: config.safetyMarginMs }),
          requestId: context?.awsRequestId,
          itemsPerRun: config.batchItemsPerRun,
        },
      );
    } catch (err) {
      throw publicErrorOf(err);
    }
  };
}

let shared: BatchObjectStore | undefined;

/**
 * The SDK's S3 client, configured as everywhere else (s3ClientConfig: the environment's endpoint,
 * region, credentials), from the SDK v3 that Lambda's Node runtimes carry
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html): the function bundles leave it
 * out (serverless.yml), and only a batch invocation loads it.
 */
function defaultBatchStore(): BatchObjectStore {
  if (shared) return shared;
  const sdk = requireS3Sdk();
  shared = new SdkBatchStore(new sdk.S3Client(s3ClientConfig()), sdk);
  return shared;
}
