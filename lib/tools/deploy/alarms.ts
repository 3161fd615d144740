import { METRICS, METRICS_NAMESPACE, METRIC_DIMENSIONS, SERVICE_NAME } from '../../core/observability/metricNames';
import type { Rollout, RolloutAlarm } from '../../core/registry/release';

type Cfn = Record<string, unknown>;

export interface AlarmTarget {
  /** The model (the `model` dimension of the handlers' EMF metrics). */
  model: string;
  /** `<service>-<stage>-<model>`: alarm names start with it, so `onnxless rollout status` finds them. */
  functionName: string;
  /** The version being rolled out: `{ 'Fn::GetAtt': [<version>, 'Version'] }`. */
  version: Cfn;
}

/**
 * The CloudWatch alarms CodeDeploy watches during a rollout, on the EMF metrics the handlers
 * emit, scoped to the new version: the handlers add a dimension set with Lambda's
 * AWS_LAMBDA_FUNCTION_VERSION (PowertoolsSink), and the alarm's `functionVersion` dimension
 * follows the version each deploy publishes, so the old version's traffic never trips it.
 *
 * A metric matches an alarm only when the alarm names every dimension of the set:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Dimension
 * EMF dimension sets: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export function rolloutAlarms(target: AlarmTarget, rollout: Rollout): Record<RolloutAlarm, Cfn | undefined> {
  const dimensions = [
    { Name: METRIC_DIMENSIONS.service, Value: SERVICE_NAME },
    { Name: METRIC_DIMENSIONS.model, Value: target.model },
    { Name: METRIC_DIMENSIONS.functionVersion, Value: target.version },
  ];
  const common = {
    Namespace: METRICS_NAMESPACE,
    Dimensions: dimensions,
    Period: 60,
    ComparisonOperator: 'GreaterThanThreshold',
    // No request to the new version in a minute is no evidence against it.
    TreatMissingData: 'notBreaching',
  };
  const errors5xx: Cfn = {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: alarmName(target.functionName, 'errors5xx'),
      AlarmDescription: `onnxless: share of ${target.model}'s requests on the new version answering 5xx above ${rollout.errorRate}; stops the rollout`,
      MetricName: METRICS.errors5xx,
      // Errors5xx is 0 or 1 on every request: its average is the share of 5xx answers.
      Statistic: 'Average',
      Threshold: rollout.errorRate,
      EvaluationPeriods: 1,
      ...common,
    },
  };
  const latencyP99: Cfn = {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: alarmName(target.functionName, 'latencyP99'),
      AlarmDescription: `onnxless: p99 latency of ${target.model} on the new version above ${rollout.latencyP99Ms} ms two minutes running; stops the rollout`,
      MetricName: METRICS.latency,
      ExtendedStatistic: 'p99',
      Threshold: rollout.latencyP99Ms,
      // Two minutes: the new version's first requests may each pay a cold load; one slow minute is no verdict.
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      ...common,
    },
  };
  return {
    errors5xx: rollout.alarms.includes('errors5xx') ? errors5xx : undefined,
    latencyP99: rollout.alarms.includes('latencyP99') ? latencyP99 : undefined,
  };
}

export function alarmName(functionName: string, alarm: RolloutAlarm): string {
  return `${functionName}-${alarm}`;
}
