import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { createLambdaHandler, type LambdaHandler } from '../../lib/lambda/createLambdaHandler';
import type { FunctionConfig } from '../../lib/lambda/modelConfigFromEnv';
import { DEFAULT_LIMITS } from '../../lib/core/protocol/limits';
import type { Pipeline } from '../../lib/core/pipeline/Pipeline';
import type { Result } from './httpApiEvent';

export function tempDir(prefix = 'onnxless-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A handler as a fresh Lambda sandbox would build it, with a session-creation counter. */
export function testHandler(
  config: Partial<FunctionConfig> & { name: string; uri: string },
  options: { s3Client?: S3Client; pipeline?: Pipeline } = {},
): { handler: (event: unknown) => Promise<Result>; sessions: () => number; raw: LambdaHandler } {
  let sessions = 0;
  const raw = createLambdaHandler(
    {
      cacheDir: tempDir(),
      eager: false,
      session: { intraOpThreads: 1 },
      limits: DEFAULT_LIMITS,
      ...config,
    },
    { ...options, events: { onSessionCreate: () => (sessions += 1) } },
  );
  return { handler: (event) => raw(event) as Promise<Result>, sessions: () => sessions, raw };
}
