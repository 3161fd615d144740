import type { S3Prefix } from '../../core/registry/batch';
import type { Cfn } from './DeploymentPlan';

const partition = { Ref: 'AWS::Partition' };

/** `arn:<partition>:s3:::bucket/prefix*`: the objects under a prefix, and nothing else of the bucket. */
export function prefixObjectsArn(p: S3Prefix): Cfn {
  return { 'Fn::Join': ['', ['arn:', partition, `:s3:::${p.bucket}/${p.prefix}*`]] };
}

function bucketArn(bucket: string): Cfn {
  return { 'Fn::Join': ['', ['arn:', partition, `:s3:::${bucket}`]] };
}

/** ListBucket on the bucket, only for listings under the prefix (the `s3:prefix` condition key). */
function listUnder(p: S3Prefix): Cfn {
  return {
    Effect: 'Allow',
    Action: ['s3:ListBucket'],
    Resource: [bucketArn(p.bucket)],
    Condition: { StringLike: { 's3:prefix': [`${p.prefix}*`] } },
  };
}

/**
 * The batch state machine's role: what a Distributed Map over an S3 listing needs and no more
 * (https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html):
 * StartExecution on its own state machine (the Map starts its child workflows so), Describe and
 * Stop on its own executions; ListBucket limited to the input prefix (ItemReader); the
 * ResultWriter's writes under the output prefix (PutObject, and for its multipart uploads
 * GetObject, ListMultipartUploadParts, AbortMultipartUpload); invoke of the function's live alias.
 * The state machine's ARN is built from its name: a Ref to itself would be a circular dependency.
 */
export function batchStateMachineRole(options: {
  stateMachineName: string;
  input: S3Prefix;
  output: S3Prefix;
  aliasLogicalId: string;
}): Cfn {
  const name = options.stateMachineName;
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: ['states.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
      },
      Policies: [
        {
          PolicyName: `onnxless-batch-${name}`,
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['states:StartExecution'],
                Resource: [{ 'Fn::Sub': `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${name}` }],
              },
              {
                Effect: 'Allow',
                Action: ['states:DescribeExecution', 'states:StopExecution'],
                // A Distributed Map's child executions are named `<state machine>/<map run>:<id>`.
                Resource: [
                  { 'Fn::Sub': `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:execution:${name}:*` },
                  { 'Fn::Sub': `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:execution:${name}/*` },
                ],
              },
              { Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [{ Ref: options.aliasLogicalId }] },
              listUnder(options.input),
              {
                Effect: 'Allow',
                Action: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
                Resource: [prefixObjectsArn(options.output)],
              },
            ],
          },
        },
      ],
    },
  };
}

/**
 * What the model's own function needs for a batch: read the objects under the input prefix, write
 * (and HEAD, for the ETag an answer records) under the output prefix, and list the output prefix:
 * without ListBucket S3 answers a HEAD of a missing key 403 instead of 404
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html; the function reads either
 * as "no answer yet", lib/core/batch/SdkBatchStore.ts).
 */
export function batchFunctionStatements(input: S3Prefix, output: S3Prefix): Cfn[] {
  return [
    { Effect: 'Allow', Action: ['s3:GetObject'], Resource: [prefixObjectsArn(input)] },
    { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: [prefixObjectsArn(output)] },
    listUnder(output),
  ];
}
