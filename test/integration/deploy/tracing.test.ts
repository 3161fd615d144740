import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaHandler, type LambdaHandler } from '../../../lib/lambda/createLambdaHandler';
import { PowertoolsSink } from '../../../lib/core/observability/PowertoolsSink';
import { startTracing, traced } from '../../../lib/core/observability/tracing';
import { DEFAULT_LIMITS } from '../../../lib/core/protocol/limits';
import { createS3Client } from '../../../lib/core/sources/s3Client';
import { httpApiEvent, type Result } from '../../support/httpApiEvent';
import { startLocalS3, TEST_CREDENTIALS, type LocalS3 } from '../../support/localS3';
import { fixedShapeModel } from '../../support/onnxModels';
import { tempDir } from '../../support/testHandler';

// The handler as Lambda runs it with active tracing: AWS_EXECUTION_ENV and LAMBDA_TASK_ROOT set,
// the invocation's trace header in _X_AMZN_TRACE_ID, and AWS_XRAY_DAEMON_ADDRESS pointing at a UDP
// socket of this test standing in for the X-Ray daemon. Each closed subsegment is sent there, as
// to the daemon Lambda runs; the test reads those documents as the daemon would.

const BUCKET = 'models';
const KEY = 'fixed/1/model.onnx';
const ROOT = '1-6759e988-bd862e3fe1be46a994272793';
const TRACE_HEADER = `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`;

interface SubsegmentDoc {
  name: string;
  id: string;
  trace_id: string;
  parent_id?: string;
  type?: string;
  annotations?: Record<string, unknown>;
  in_progress?: boolean;
  start_time: number;
  end_time: number;
}

let s3: LocalS3;
let daemon: Socket;
const received: SubsegmentDoc[] = [];
const saved = { ...process.env };

beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
  await s3.put(BUCKET, KEY, fixedShapeModel());
  daemon = createSocket('udp4');
  daemon.on('message', (msg) => {
    // The daemon protocol: a JSON header line, then the segment document.
    const [, doc] = msg.toString('utf8').split('\n');
    if (doc) received.push(JSON.parse(doc) as SubsegmentDoc);
  });
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    LAMBDA_TASK_ROOT: tempDir(),
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${(daemon.address() as AddressInfo).port}`,
    AWS_LAMBDA_FUNCTION_VERSION: '8',
  });
});
afterAll(async () => {
  process.env = saved;
  daemon?.close();
  await s3?.close();
});

const INFER = httpApiEvent('POST', '/v2/models/fixed/infer', {
  body: JSON.stringify({
    inputs: [
      { name: 'x', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6] },
      { name: 'a', shape: [2], datatype: 'FP32', data: [1, 2] },
      { name: 'b', shape: [2], datatype: 'FP32', data: [3, 4] },
    ],
  }),
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
}

describe('tracing in the Lambda handler', () => {
  let handler: LambdaHandler;
  const lines: string[] = [];

  beforeAll(async () => {
    handler = createLambdaHandler(
      {
        name: 'fixed',
        uri: `s3://${BUCKET}/${KEY}`,
        cacheDir: tempDir(),
        eager: false,
        session: { intraOpThreads: 1 },
        limits: DEFAULT_LIMITS,
      },
      {
        s3Client: createS3Client({ AWS_ENDPOINT_URL_S3: s3.endpoint }),
        sink: new PowertoolsSink({ write: (l) => lines.push(l), functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION }),
      },
    );
    // Lambda's init phase: the handler set tracing up.
    expect(await startTracing()).toBeDefined();
  });

  it("sends subsegments for the load (S3 download with its figures, session creation) and the request phases, in the invocation's trace", async () => {
    process.env._X_AMZN_TRACE_ID = TRACE_HEADER;
    const result = (await handler(INFER, { awsRequestId: 'req-traced', getRemainingTimeInMillis: () => 20_000 })) as Result;
    expect(result.statusCode).toBe(200);

    const names = ['load', 's3 download', 'session creation', 'preprocess', 'inference', 'postprocess'];
    await until(() => names.every((n) => received.some((d) => d.name === n)));
    const byName = (n: string) => received.filter((d) => d.name === n);
    // preprocess runs twice (body parse, tensor decode): two subsegments; the rest once.
    expect(names.map((n) => [n, byName(n).length])).toEqual(names.map((n) => [n, n === 'preprocess' ? 2 : 1]));
    // Every phase hangs off the invocation's own segment (the Parent in the trace header), the load's parts off the load.
    for (const n of ['load', 'preprocess', 'inference', 'postprocess'])
      expect(byName(n).map((d) => d.parent_id)).toEqual(byName(n).map(() => '53995c3f42cd8ad8'));
    for (const doc of received)
      expect([doc.name, doc.trace_id, doc.type, doc.in_progress ?? false]).toEqual([doc.name, ROOT, 'subsegment', false]);
    // Ids as X-Ray takes them (16 hex digits), times in epoch seconds, each span closed after it opened.
    const now = Date.now() / 1000;
    for (const doc of received)
      expect([doc.id, doc.start_time <= doc.end_time, now - doc.start_time < 60]).toEqual([
        expect.stringMatching(/^[0-9a-f]{16}$/),
        true,
        true,
      ]);

    const [load] = byName('load');
    const [download] = byName('s3 download');
    const [session] = byName('session creation');
    // The download and the session creation happen inside the load.
    expect(download!.parent_id).toBe(load!.id);
    expect(session!.parent_id).toBe(load!.id);
    expect(download!.annotations).toEqual({ bytes: fixedShapeModel().length, parts: 1, resumedBytes: 0 });
  });

  it("puts the trace id in the request's log line, and the version in a dimension set of its metrics", () => {
    const request = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.message === 'request');
    expect(request).toMatchObject({ requestId: 'req-traced', status: 200, xray_trace_id: ROOT });
    const emf = lines
      .map((l) => JSON.parse(l) as { _aws?: { CloudWatchMetrics: Array<{ Dimensions: string[][] }> } } & Record<string, unknown>)
      .filter((l) => l._aws);
    const requestDoc = emf.find((d) => 'Latency' in d)!;
    expect(requestDoc._aws!.CloudWatchMetrics[0]!.Dimensions).toEqual([
      ['service', 'model'],
      ['service', 'model', 'functionVersion'],
    ]);
    expect(requestDoc).toMatchObject({ service: 'onnxless', model: 'fixed', functionVersion: '8' });
  });

  it('traces a warm request under its own trace id: its phases, and no load, download or session creation', async () => {
    received.length = 0;
    const root = '1-6759e989-0123456789abcdef01234567';
    process.env._X_AMZN_TRACE_ID = `Root=${root};Parent=1111111111111111;Sampled=1`;
    expect(((await handler(INFER, { awsRequestId: 'req-warm', getRemainingTimeInMillis: () => 20_000 })) as Result).statusCode).toBe(200);
    await until(() => received.some((d) => d.name === 'postprocess'));
    expect(received.map((d) => [d.name, d.trace_id, d.parent_id]).sort()).toEqual(
      ['inference', 'postprocess', 'preprocess', 'preprocess'].map((n) => [n, root, '1111111111111111']),
    );
  });

  it('sends nothing for an unsampled invocation, and marks a failed span as a fault with its error', async () => {
    received.length = 0;
    const unsampled = '1-6759e98a-00000000000000000000000a';
    process.env._X_AMZN_TRACE_ID = `Root=${unsampled};Parent=2222222222222222;Sampled=0`;
    expect(((await handler(INFER, { awsRequestId: 'req-unsampled', getRemainingTimeInMillis: () => 20_000 })) as Result).statusCode).toBe(
      200,
    );

    const root = '1-6759e98b-0123456789abcdef0123456b';
    process.env._X_AMZN_TRACE_ID = `Root=${root};Parent=3333333333333333;Sampled=1`;
    await expect(traced('inference', () => Promise.reject(new TypeError('tensor x: bad shape')))).rejects.toThrow('bad shape');
    // Datagrams on loopback arrive in order: once the fault is in, anything the unsampled call sent would be too.
    await until(() => received.some((d) => d.trace_id === root));
    expect(received.filter((d) => d.trace_id === unsampled)).toEqual([]);
    expect(received).toEqual([
      expect.objectContaining({ name: 'inference', trace_id: root, parent_id: '3333333333333333', type: 'subsegment', fault: true }),
    ]);
    expect((received[0] as SubsegmentDoc & { cause: unknown }).cause).toEqual({
      exceptions: [{ id: expect.stringMatching(/^[0-9a-f]{16}$/), type: 'TypeError', message: 'tensor x: bad shape' }],
    });
  });
});
