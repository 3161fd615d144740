// zod/mini with named imports: a pipeline function's bundle carries this (zod's full build is ~470 KB of a cold start's load).
import { minLength, optional, record, strictObject, string } from 'zod/mini';
import { ConfigError, ENV, requiredString, type Env } from '../core/config/env';
import { describeZodIssue, dottedPath } from '../core/config/zodIssues';
import { functionSettingsFromEnv, pinFromEnv, type FunctionSettings } from './modelConfigFromEnv';

/** One member model of a pipeline function, as the deploy plan writes it. */
export interface MemberConfig {
  /** The model's own name: its OIP routes are /v2/models/{name}/... */
  name: string;
  uri: string;
  sha256?: string;
  version?: string;
}

export interface PipelineConfig extends FunctionSettings {
  /** The pipeline's name: `POST /models/{name}/predict`. */
  name: string;
  /** Member models by the pipeline's role for each. */
  members: Record<string, MemberConfig>;
}

const membersSchema = record(
  string().check(minLength(1)),
  strictObject({
    name: string().check(minLength(1)),
    uri: string().check(minLength(1)),
    sha256: optional(string()),
    version: optional(string()),
  }),
);

/** A pipeline function reads its members from ONNXLESS_PIPELINE_MODELS and the rest as any function. */
export function pipelineConfigFromEnv(env: Env = process.env): PipelineConfig {
  const raw = requiredString(ENV.pipelineModels, env);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new ConfigError(
      `environment variable ${ENV.pipelineModels} must be JSON {"role": {"name", "uri", "sha256"?, "version"?}}: ${(err as Error).message}`,
    );
  }
  const result = membersSchema.safeParse(parsed);
  if (!result.success) {
    const problem = describeZodIssue(result.error.issues[0]!, { place: (path) => dottedPath(path) || '(root)' });
    throw new ConfigError(`environment variable ${ENV.pipelineModels}: ${problem}`);
  }
  const members: Record<string, MemberConfig> = {};
  for (const [role, member] of Object.entries(result.data)) {
    members[role] = { ...member, sha256: pinFromEnv(member.sha256, `environment variable ${ENV.pipelineModels}: ${role}.sha256`) };
  }
  return { name: requiredString(ENV.modelName, env), members, ...functionSettingsFromEnv(env) };
}
