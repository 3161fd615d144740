import { ROLLOUT_STRATEGIES, type Rollout } from '../../core/registry/release';

type Cfn = Record<string, unknown>;

export const CODEDEPLOY_APPLICATION = 'OnnxlessCodeDeployApplication';
export const CODEDEPLOY_ROLE = 'OnnxlessCodeDeployRole';

/** `<service>-<stage>`: the CLI finds the application by this name. */
export function codeDeployApplicationName(service: string, stage: string): string {
  return `${service}-${stage}`;
}

/**
 * One CodeDeploy application per service (Lambda platform) and the role CodeDeploy assumes to
 * shift an alias's weights and read the alarms: AWS's managed AWSCodeDeployRoleForLambdaLimited.
 * https://docs.aws.amazon.com/codedeploy/latest/userguide/getting-started-create-service-role.html
 */
export function codeDeployApplication(service: string, stage: string): Record<string, Cfn> {
  return {
    [CODEDEPLOY_APPLICATION]: {
      Type: 'AWS::CodeDeploy::Application',
      Properties: { ApplicationName: codeDeployApplicationName(service, stage), ComputePlatform: 'Lambda' },
    },
    [CODEDEPLOY_ROLE]: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: ['codedeploy.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
        },
        ManagedPolicyArns: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited' }],
      },
    },
  };
}

/**
 * A model's deployment group: the strategy's predefined configuration, the alarms that stop it,
 * and rollback when it fails or an alarm fires. Lambda deployments are blue/green with traffic
 * control by definition.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-codedeploy-deploymentgroup.html
 */
export function deploymentGroup(groupName: string, rollout: Rollout, alarmLogicalIds: string[]): Cfn {
  return {
    Type: 'AWS::CodeDeploy::DeploymentGroup',
    Properties: {
      ApplicationName: { Ref: CODEDEPLOY_APPLICATION },
      DeploymentGroupName: groupName,
      ServiceRoleArn: { 'Fn::GetAtt': [CODEDEPLOY_ROLE, 'Arn'] },
      DeploymentConfigName: ROLLOUT_STRATEGIES[rollout.strategy],
      DeploymentStyle: { DeploymentType: 'BLUE_GREEN', DeploymentOption: 'WITH_TRAFFIC_CONTROL' },
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] },
      ...(alarmLogicalIds.length > 0
        ? { AlarmConfiguration: { Enabled: true, Alarms: alarmLogicalIds.map((id) => ({ Name: { Ref: id } })) } }
        : {}),
    },
  };
}

/**
 * On the alias: a change of its version becomes a CodeDeploy deployment that shifts the traffic,
 * instead of an immediate switch.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html#cfn-attributes-updatepolicy-codedeploylambdaaliasupdate
 */
export function aliasUpdatePolicy(groupLogicalId: string): Cfn {
  return {
    CodeDeployLambdaAliasUpdate: { ApplicationName: { Ref: CODEDEPLOY_APPLICATION }, DeploymentGroupName: { Ref: groupLogicalId } },
  };
}
