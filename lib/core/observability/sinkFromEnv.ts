import { ENV, optionalEnum, optionalString, type Env } from '../config/env';
import { PowertoolsSink, type PowertoolsSinkOptions } from './PowertoolsSink';
import type { ObservabilitySink } from './records';
import { TerminalSink } from './TerminalSink';

export const LOG_FORMATS = ['json', 'compact'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * The sink a function's environment asks for: Powertools JSON and EMF (the default, as on
 * Lambda, where CloudWatch reads them), or compact lines when the local stack prints to a terminal.
 */
export function sinkFromEnv(options: PowertoolsSinkOptions = {}, env: Env = process.env): ObservabilitySink {
  const format = optionalEnum(ENV.logFormat, LOG_FORMATS, env) ?? 'json';
  // Lambda sets AWS_LAMBDA_FUNCTION_VERSION to the published version an alias invoked (or $LATEST).
  const functionVersion = optionalString(ENV.functionVersion, env);
  return format === 'compact' ? new TerminalSink(options.write) : new PowertoolsSink({ functionVersion, ...options });
}
