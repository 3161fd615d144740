import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { BatchSummary } from '../../core/batch/BatchSummary';
import type { InvokeBatch } from './runLocalBatch';

/**
 * Invokes a function with a batch event through the Lambda Invoke API: on the local stack that is
 * serverless-offline's own Lambda endpoint (`POST /2015-03-31/functions/<name>/invocations` on its
 * lambda port), which runs the same bundle the HTTP routes run. A function error (the payload of
 * an `X-Amz-Function-Error` answer) rejects with its message.
 */
export function lambdaInvoker(client: LambdaClient, functionName: string): InvokeBatch {
  return async (event) => {
    const out = await client.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) }));
    const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
    if (out.FunctionError || (out.StatusCode ?? 200) >= 300) {
      let message = text;
      try {
        const parsed = JSON.parse(text) as { errorMessage?: string; Message?: string };
        message = parsed.errorMessage ?? parsed.Message ?? text;
      } catch {
        // not JSON: the text itself
      }
      throw new Error(`${functionName}: ${message.slice(0, 500)}`);
    }
    return JSON.parse(text) as BatchSummary;
  };
}

/** A Lambda client for the local stack's endpoint (its keys are fixed and public: lib/tools/local/localStack.ts). */
export function localLambdaClient(
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  region: string,
): LambdaClient {
  // A batch of 20 OCR pages runs for a while: no socket timeout of the SDK's own cuts it short.
  // A copy: the SDK marks where credentials came from on the object itself, and the stack's settings are frozen.
  const { accessKeyId, secretAccessKey } = credentials;
  return new LambdaClient({
    endpoint,
    region,
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 1,
    requestHandler: { requestTimeout: 0 },
  });
}
