import type { DeploymentPlan } from './DeploymentPlan';

/**
 * CloudFormation declares at most 500 resources in one template
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html,
 * "Resources"). A deploy past it fails only after packaging, with CloudFormation's terse message.
 */
export const CLOUDFORMATION_MAX_RESOURCES = 500;

/**
 * Resources the framework adds for each Lambda function whatever its routes: the function, its
 * log group, API Gateway's integration and its permission to invoke it; then one route resource
 * per HTTP API event. A floor: versions (`versionFunctions`, on by default), aliases and alarms
 * come on top, so a plan under it may still be refused by CloudFormation, never one over it accepted.
 */
const PER_FUNCTION = 4;
/** The HTTP API, its stage, and the server function's `$default` wiring the framework adds once. */
const PER_STACK = 3;

/** The resources the stack will hold at least, and the problem when they are over CloudFormation's limit. */
export function stackResourceProblems(plan: DeploymentPlan): string[] {
  const functions = Object.values(plan.functions);
  const routes = functions.reduce((sum, fn) => sum + fn.events.length, 0);
  const count = PER_STACK + functions.length * PER_FUNCTION + routes + Object.keys(plan.resources).length;
  if (count <= CLOUDFORMATION_MAX_RESOURCES) return [];
  return [
    `models: ${functions.length} functions with ${routes} routes make at least ${count} CloudFormation resources, over the ${CLOUDFORMATION_MAX_RESOURCES} one stack may declare; ` +
      'serve the many small models from one function instead: a kind: repository entry (docs/repository.md), its models added with onnxless push --repository, no resources per model',
  ];
}
