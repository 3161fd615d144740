import { NamedError } from '../../core/errors';
/** A rollout command that cannot do what was asked: the message says what to check or change. */
export class RolloutError extends NamedError {
  override readonly name = 'RolloutError';
  constructor(
    message: string,
    readonly model: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
