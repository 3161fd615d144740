import { modelObjectsResource } from '../../core/registry/index';
import type { Cfn, PlanContext } from './DeploymentPlan';

const partition = { Ref: 'AWS::Partition' };

export function roleLogicalId(key: string, ctx: Pick<PlanContext, 'naming'>): string {
  return `${ctx.naming.getNormalizedFunctionName(key)}OnnxlessRole`;
}

/**
 * One role per function: write its own log group, and read exactly its model's objects (one object,
 * or the objects under its model directory's prefix), nothing
 * bucket-wide (no ListBucket: a missing object reads as 403, which the runtime reports as 503
 * naming the key).
 */
export function functionRole(
  key: string,
  fnName: string,
  weights?: { bucket: string; key: string } | readonly { bucket: string; key: string }[],
): Cfn {
  const statements: Cfn[] = [
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [{ 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${fnName}:*` }],
    },
  ];
  // A pipeline's function reads each of its models' objects, and nothing else.
  const objects = weights === undefined ? [] : [weights].flat();
  if (objects.length > 0) {
    statements.push({
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: objects.map((w) => ({ 'Fn::Join': ['', ['arn:', partition, `:s3:::${modelObjectsResource(w)}`]] })),
    });
  }
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
      },
      Policies: [{ PolicyName: `onnxless-${key}`, PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
    },
  };
}
