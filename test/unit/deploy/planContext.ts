import type { PlanContext } from '../../../lib/tools/deploy/DeploymentPlan';

/** What the plugin hands the plan, for a service `onnxless` at stage `dev` with naming left as is. */
export const PLAN_CONTEXT: PlanContext = {
  service: 'onnxless',
  stage: 'dev',
  runtime: 'nodejs22.x',
  naming: { getNormalizedFunctionName: (n) => n, getLambdaLayerLogicalId: (n) => `${n}LambdaLayer` },
  root: '/project',
  bundleExtension: '.cjs',
};
