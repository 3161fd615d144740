import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { LambdaClient, type LambdaClientConfig } from '@aws-sdk/client-lambda';

/** The three AWS APIs a rollout spans. */
export interface RolloutClients {
  lambda: LambdaClient;
  codeDeploy: CodeDeployClient;
  cloudWatch: CloudWatchClient;
}

export interface RolloutClientOptions {
  region?: string;
  /** The HTTP layer under the SDK: the default one, or a recorded-interaction fake in tests. */
  requestHandler?: LambdaClientConfig['requestHandler'];
  /** Default: the SDK's default chain (environment, profile, role). */
  credentials?: LambdaClientConfig['credentials'];
}

/** Credentials and region come from the SDK's default chain unless given. */
export function createRolloutClients(options: RolloutClientOptions = {}): RolloutClients {
  const { region, requestHandler, credentials } = options;
  const config = { ...(region ? { region } : {}), ...(requestHandler ? { requestHandler } : {}), ...(credentials ? { credentials } : {}) };
  return { lambda: new LambdaClient(config), codeDeploy: new CodeDeployClient(config), cloudWatch: new CloudWatchClient(config) };
}
