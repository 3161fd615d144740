/**
 * Shared by the child scripts. Each child is one fresh Node process doing one measured thing;
 * it prints one line `@@BENCH {json}` that the parent parses (other output, such as the
 * handler's own logs, is ignored).
 */
import { readFileSync } from 'node:fs';
import type { InferenceSession } from 'onnxruntime-node';

export const RESULT_PREFIX = '@@BENCH ';

/**
 * Runs a child's body. Children are CommonJS, as Lambda loads a handler (an ESM bundle's
 * `import 'node:http'` alone loads undici: ~40 ms), so no top-level await: the body is a function.
 */
export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

/**
 * What a baseline script loads before its download: the AWS SDK's S3 client and onnxruntime,
 * with the times around it (from process start).
 */
export async function baselineImports() {
  const started = sinceStart();
  const { getObject } = await plainS3();
  const ort = await import('onnxruntime-node');
  return { started, imported: sinceStart(), getObject, ort };
}

export function benchArgs<T>(): T {
  return JSON.parse(process.env.BENCH_ARGS ?? '{}') as T;
}

/** Milliseconds since this process started (Node's time origin): boot, imports and all. */
export function sinceStart(): number {
  return performance.now();
}

export function report(result: Record<string, unknown>): void {
  const line = { ...result, maxRssKb: peakRssKb(), resourceUsageMaxRssKb: process.resourceUsage().maxRSS };
  process.stdout.write(`\n${RESULT_PREFIX}${JSON.stringify(line)}\n`);
}

/**
 * Peak resident set of this process, in kB. On Linux, process.resourceUsage().maxRSS of a
 * spawned child also counts the parent's resident pages at fork time (the kernel carries the
 * pre-exec high-water mark over), so a child of a 400 MB parent reports >= 400 MB whatever it
 * does; /proc/self/status VmHWM is the high-water mark of this program's own memory.
 */
function peakRssKb(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // not Linux: fall back to getrusage
  }
  return process.resourceUsage().maxRSS;
}

/** An API Gateway v2 event the parent wrote: as Lambda would hand it to the function. */
export function readEvent(path: string): { body?: string; isBase64Encoded?: boolean; [k: string]: unknown } {
  return JSON.parse(readFileSync(path, 'utf8')) as { body?: string };
}

/**
 * The session options onnxless uses (threads for the CPUs really available, sequential
 * execution, full graph optimisation), given to the baselines too: the comparison is of
 * everything around onnxruntime, not of onnxruntime settings.
 */
export { toSessionOptions } from '../../lib/core/onnx/SessionOptions';

/** What a hand-written handler does with a JSON infer body: parse, run, answer JSON. */
export async function runJsonBody(
  session: InferenceSession,
  Tensor: typeof import('onnxruntime-node').Tensor,
  body: string,
): Promise<string> {
  const request = JSON.parse(body) as { inputs: Array<{ name: string; shape: number[]; data: number[] }> };
  const feeds: Record<string, InstanceType<typeof Tensor>> = {};
  for (const input of request.inputs) feeds[input.name] = new Tensor('float32', Float32Array.from(input.data), input.shape);
  const results = await session.run(feeds);
  const outputs = Object.entries(results).map(([name, t]) => ({
    name,
    datatype: 'FP32',
    shape: [...t.dims],
    data: Array.from(t.data as Float32Array),
  }));
  return JSON.stringify({ outputs });
}

export function s3Env(): { endpoint: string; bucket: string } {
  return { endpoint: process.env.AWS_ENDPOINT_URL_S3 ?? '', bucket: process.env.BENCH_BUCKET ?? 'models' };
}

/**
 * The AWS SDK as the baselines (a sample handler, a plain download) use it: imported when
 * called, so its load counts where the caller measures it, and a client for the local server.
 */
export async function plainS3() {
  const { S3Client, GetObjectCommand } = await import('@aws-sdk/client-s3');
  const { endpoint, bucket } = s3Env();
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  /** One plain GetObject of a key in the bench bucket (of a byte range of it, `bytes=a-b`, when given). */
  return { getObject: (key: string, range?: string) => client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range })) };
}
