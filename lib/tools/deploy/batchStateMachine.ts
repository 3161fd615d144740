import type { BatchJob } from '../../core/registry/batch';
import type { Cfn } from './DeploymentPlan';

/**
 * The Amazon States Language of a model's batch job: one Distributed Map that lists the input
 * prefix (ItemReader on S3 ListObjectsV2), hands the function `itemsPerInvocation` objects at a
 * time (ItemBatcher: `{ Items, BatchInput }`, lib/core/batch/BatchEvent.ts), runs at most
 * `concurrency` child executions at once, fails past `toleratedFailurePercent` of failed items, and
 * writes the children's outputs (each batch's summary) under `<output>_results` (ResultWriter).
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
 *
 * The execution's input names the prefixes of one run (the CLI's `onnxless batch` writes it, and
 * checks that they lie within the registry's, which are all the role may touch):
 * `{ "input": "s3://b/in/", "output": "s3://b/out/", "inputBucket": "b", "inputPrefix": "in/" }`.
 * Items a function reports as failed are in its summary, not failed children: the Map's tolerance
 * applies to whole batches the function could not answer (a crash, a timeout), the CLI applies it
 * to items.
 */
export const MAP_STATE = 'Items';

/** Lambda's transient invoke errors, retried as the Step Functions docs advise for the lambda:invoke integration. */
const LAMBDA_TRANSIENT = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/** Where the ResultWriter puts the run's manifest and result files: `<output prefix>_results/<map run id>/`. */
export function resultsPrefixOf(outputPrefix: string): string {
  return `${outputPrefix}_results`;
}

export function batchDefinition(
  job: BatchJob,
  target: { model: string; outputBucket: string; outputPrefix: string },
): Record<string, unknown> {
  return {
    Comment: `onnxless batch: ${target.model} over ${job.input}, answers under ${job.output}`,
    StartAt: MAP_STATE,
    States: {
      [MAP_STATE]: {
        Type: 'Map',
        ItemReader: {
          Resource: 'arn:aws:states:::s3:listObjectsV2',
          Parameters: { 'Bucket.$': '$.inputBucket', 'Prefix.$': '$.inputPrefix' },
        },
        ItemBatcher: {
          MaxItemsPerBatch: job.itemsPerInvocation,
          BatchInput: { 'input.$': '$.input', 'output.$': '$.output' },
        },
        MaxConcurrency: job.concurrency,
        ToleratedFailurePercentage: job.toleratedFailurePercent,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'Invoke',
          States: {
            Invoke: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke',
              // Substituted by DefinitionSubstitutions: the function's live alias.
              Parameters: { FunctionName: '${FunctionArn}', 'Payload.$': '$' },
              // The child's output is the function's answer: the batch's summary.
              OutputPath: '$.Payload',
              Retry: [{ ErrorEquals: LAMBDA_TRANSIENT, IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, JitterStrategy: 'FULL' }],
              End: true,
            },
          },
        },
        ResultWriter: {
          Resource: 'arn:aws:states:::s3:putObject',
          Parameters: { Bucket: target.outputBucket, Prefix: resultsPrefixOf(target.outputPrefix) },
        },
        End: true,
      },
    },
  };
}

/** The AWS::StepFunctions::StateMachine: its definition, the live alias substituted in, its role. */
export function batchStateMachine(options: {
  name: string;
  definition: Record<string, unknown>;
  aliasLogicalId: string;
  roleLogicalId: string;
}): Cfn {
  return {
    Type: 'AWS::StepFunctions::StateMachine',
    Properties: {
      StateMachineName: options.name,
      StateMachineType: 'STANDARD',
      Definition: options.definition,
      // Ref of an AWS::Lambda::Alias is the alias's ARN: the batch runs what the routes run.
      DefinitionSubstitutions: { FunctionArn: { Ref: options.aliasLogicalId } },
      RoleArn: { 'Fn::GetAtt': [options.roleLogicalId, 'Arn'] },
    },
  };
}
