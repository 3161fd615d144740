import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { TEST_CREDENTIALS } from './localS3';
import { ROOT } from './localStackProcess';

/** `npx onnxless <args>` as a user runs it (the built CLI), pointed at a test's S3 server. */
export function runOnnxless(
  args: string[],
  s3Endpoint: string,
  extraEnv: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  const env = {
    ...process.env,
    ...extraEnv,
    AWS_ENDPOINT_URL_S3: s3Endpoint,
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
  };
  const child = spawn(process.execPath, [join(ROOT, 'bin/onnxless.mjs'), ...args], { cwd: ROOT, env });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}
