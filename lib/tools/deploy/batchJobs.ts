import { splitS3Prefix, type BatchJob } from '../../core/registry/batch';
import type { Registry } from '../../core/registry/index';
import { aliasLogicalId } from './liveAlias';
import { batchFunctionStatements, batchStateMachineRole } from './batchRole';
import { batchDefinition, batchStateMachine } from './batchStateMachine';
import type { Cfn, DeploymentPlan, PlanContext } from './DeploymentPlan';
import { roleLogicalId } from './functionRole';
import { functionName } from './lambdaFunction';

/** `<service>-<stage>-<model>-batch`: the name `onnxless batch` finds the state machine by. */
export function batchStateMachineName(key: string, ctx: Pick<PlanContext, 'service' | 'stage'>): string {
  return `${functionName(key, ctx)}-batch`;
}

export function batchLogicalIds(key: string, ctx: Pick<PlanContext, 'naming'>): { stateMachine: string; role: string } {
  const normalized = ctx.naming.getNormalizedFunctionName(key);
  return { stateMachine: `${normalized}BatchStateMachine`, role: `${normalized}BatchRole` };
}

/**
 * Each Lambda model or pipeline with `batch:` gets its state machine and that machine's role, and
 * its function's role the reads and writes of the job's prefixes (docs/batch.md).
 */
export function planBatchJobs(registry: Registry, ctx: PlanContext, plan: DeploymentPlan): string[] {
  const problems: string[] = [];
  const entries: Array<[string, BatchJob | undefined]> = [
    ...Object.entries(registry.models).map(([k, e]): [string, BatchJob | undefined] => [k, e.batch]),
    ...Object.entries(registry.pipelines ?? {}).map(([k, e]): [string, BatchJob | undefined] => [k, e.batch]),
  ];
  for (const [key, job] of entries) {
    if (!job) continue;
    if (!plan.functions[key]) {
      problems.push(`model '${key}': batch: needs a Lambda function to invoke; runtime: gpu runs on SageMaker`);
      continue;
    }
    const input = splitS3Prefix(job.input);
    const output = splitS3Prefix(job.output);
    const ids = batchLogicalIds(key, ctx);
    const alias = aliasLogicalId(key, ctx.naming);
    const name = batchStateMachineName(key, ctx);
    plan.resources[ids.role] = batchStateMachineRole({ stateMachineName: name, input, output, aliasLogicalId: alias });
    plan.resources[ids.stateMachine] = batchStateMachine({
      name,
      definition: batchDefinition(job, { model: key, outputBucket: output.bucket, outputPrefix: output.prefix }),
      aliasLogicalId: alias,
      roleLogicalId: ids.role,
    });
    plan.outputs[`${ids.stateMachine}Arn`] = {
      Description: `The batch job of ${key} (onnxless batch ${key} ...)`,
      Value: { Ref: ids.stateMachine },
    };
    const role = plan.resources[roleLogicalId(key, ctx)] as { Properties: { Policies: Array<{ PolicyDocument: { Statement: Cfn[] } }> } };
    role.Properties.Policies[0]!.PolicyDocument.Statement.push(...batchFunctionStatements(input, output));
  }
  return problems;
}
