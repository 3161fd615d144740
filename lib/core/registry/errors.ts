import { NamedError } from '../errors';
/**
 * A registry (`custom.onnxless` in serverless.yml) that cannot be used. Each problem names
 * its place: `model 'foo': weights: expected s3://bucket/key, got 'http://x'`.
 */
export class RegistryError extends NamedError {
  /** One line per problem, already prefixed with the model and field. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options: { cause?: unknown; source?: string } = {}) {
    const where = options.source ?? 'custom.onnxless';
    const body = problems.length === 1 ? problems[0] : problems.map((p) => `\n  - ${p}`).join('');
    super(`invalid onnxless registry (${where}): ${body}`, { cause: options.cause });
    this.problems = problems;
  }
}
