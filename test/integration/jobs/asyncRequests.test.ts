import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getPipeline } from '../../../lib/core/builtins/index';
import { NO_SINK } from '../../../lib/core/observability/sinks';
import { DEFAULT_LIMITS } from '../../../lib/core/protocol/limits';
import { createLambdaHandler, type LambdaHandler } from '../../../lib/lambda/createLambdaHandler';
import { httpApiEvent, bodyBytes, type Result } from '../../support/httpApiEvent';
import { startLocalLambdaEndpoint, type LocalLambdaEndpoint } from '../../support/localLambdaEndpoint';
import { startLocalS3, TEST_CREDENTIALS, type LocalS3 } from '../../support/localS3';
import { REAL_MODELS } from '../../support/realModels';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhookReceiver';
import { call, REPO, startTestServer, tempDir, waitFor } from '../server/helpers';

/**
 * Asynchronous requests (`Prefer: respond-async`) on `onnxless serve` (in process) and on the
 * Lambda handler (its run through Lambda's Invoke API with `InvocationType: Event`, over HTTP,
 * as the local stack's endpoint serves it), both keeping their jobs on a real S3-protocol
 * server, with real models: Silero VAD behind its domain route, the PaddleOCR orientation
 * classifier on raw OIP tensors.
 */
const SPEECH = readFileSync(join(REPO, 'test/fixtures/audio/speech-in-silence.wav'));
const NOT_A_WAV = Buffer.from('RIFF....WAVEjunk');
const TENSORS = JSON.stringify({ inputs: [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', data: Array(3 * 48 * 192).fill(0.5) }] });
const JOBS_BUCKET = 'jobs';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json(): any;
}

/** One HTTP-shaped request to the form under test. */
type Send = (method: 'GET' | 'POST', path: string, body?: Buffer | string, headers?: Record<string, string>) => Promise<Answer>;

interface Form {
  name: string;
  send: Send;
  /** Resolves once every job launched so far has run. */
  settle(): Promise<void>;
  webhook: () => WebhookReceiver;
  /** Where the form keeps voice-activity's jobs. */
  vadPrefix: string;
}

let s3: LocalS3;
let receiver: WebhookReceiver;

beforeAll(async () => {
  s3 = await startLocalS3([JOBS_BUCKET]);
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await s3?.close();
});

// ---- onnxless serve, in process -------------------------------------------------------------

let server: Awaited<ReturnType<typeof startTestServer>>;
const serveForm: Form = {
  name: 'onnxless serve',
  send: async (method, path, body, headers = {}) => {
    const reply = await call(server.url, method, path, body, headers);
    return { status: reply.status, headers: reply.headers, json: () => reply.json() };
  },
  settle: async () => {
    // The server's runs are its own: wait until no job of this test is pending any more.
    await waitFor(async () => (await pendingJobs(serveForm)).length === 0, 30_000, 'every job ended');
  },
  webhook: () => receiver,
  vadPrefix: 'serve/',
};

// ---- the Lambda handler, its runs through the Invoke API ------------------------------------

const FUNCTIONS = { vad: 'onnxless-test-voice-activity', tiny: 'onnxless-test-tiny' } as const;
let lambda: LocalLambdaEndpoint;
const handlers: Record<string, LambdaHandler> = {};
const lambdaForm: Form = {
  name: 'the Lambda handler',
  send: async (method, path, body, headers = {}) => {
    const model = /^\/(?:v2\/)?models\/([^/]+)/.exec(path)?.[1];
    const handler = handlers[model === 'voice-activity' ? FUNCTIONS.vad : FUNCTIONS.tiny] as LambdaHandler;
    const [rawPath = '', query = ''] = path.split('?');
    const event = httpApiEvent(method, rawPath, {
      ...(body === undefined ? {} : { body }),
      headers,
      ...(query ? { query: Object.fromEntries(new URLSearchParams(query)) } : {}),
    });
    const result = (await handler(event)) as Result;
    return {
      status: result.statusCode,
      headers: result.headers as Answer['headers'],
      json: () => JSON.parse(bodyBytes(result).toString('utf8')),
    };
  },
  settle: async () => {
    // Runs may launch nothing new; settle what the endpoint started.
    for (let seen = -1; seen !== lambda.runs.length;) {
      seen = lambda.runs.length;
      await Promise.allSettled(lambda.runs);
    }
  },
  webhook: () => receiver,
  vadPrefix: 'lambda/voice-activity/',
};

/** Every job under a form's prefix that still reads pending (what `settle` waits out on serve). */
const launched: Record<string, string[]> = {};
async function pendingJobs(form: Form): Promise<string[]> {
  const pending: string[] = [];
  for (const location of launched[form.name] ?? []) {
    const status = await form.send('GET', location);
    if (status.json().status === 'pending') pending.push(location);
  }
  return pending;
}

async function submit(form: Form, path: string, body: Buffer | string, headers: Record<string, string>): Promise<Answer> {
  const answer = await form.send('POST', path, body, headers);
  const location = answer.headers.location;
  if (typeof location === 'string') (launched[form.name] ??= []).push(location);
  return answer;
}

/** Submits asynchronously, waits for the run, and reads the job at its Location. */
async function throughJob(form: Form, path: string, body: Buffer | string, headers: Record<string, string>) {
  const accepted = await submit(form, path, body, { ...headers, prefer: 'respond-async' });
  expect(accepted.status, JSON.stringify(accepted.json())).toBe(202);
  await form.settle();
  const status = await form.send('GET', accepted.headers.location as string);
  expect(status.status).toBe(200);
  return { accepted, status: status.json() };
}

beforeAll(async () => {
  server = await startTestServer(
    {
      models: {
        'voice-activity': { weights: REAL_MODELS.sileroVad, pipeline: 'voiceActivity' },
        tiny: { weights: REAL_MODELS.textOrientation },
      },
    },
    {
      resolvePipeline: getPipeline,
      s3Client: s3.client,
      jobs: { location: { bucket: JOBS_BUCKET, key: serveForm.vadPrefix }, webhooks: { hosts: [receiver.host] } },
    },
  );

  lambda = await startLocalLambdaEndpoint({
    [FUNCTIONS.vad]: (event, context) => (handlers[FUNCTIONS.vad] as LambdaHandler)(event, context),
    [FUNCTIONS.tiny]: (event, context) => (handlers[FUNCTIONS.tiny] as LambdaHandler)(event, context),
  });
  // What the deploy (lib/tools/deploy/asyncJobs.ts) and the local stack put in a function's environment.
  vi.stubEnv('AWS_ENDPOINT_URL_S3', s3.endpoint);
  vi.stubEnv('AWS_ENDPOINT_URL_LAMBDA', lambda.endpoint);
  vi.stubEnv('AWS_ACCESS_KEY_ID', TEST_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', TEST_CREDENTIALS.secretAccessKey);
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('ONNXLESS_WEBHOOK_HOSTS', receiver.host);
  const settings = { cacheDir: tempDir(), eager: false, session: {}, limits: DEFAULT_LIMITS };
  vi.stubEnv('ONNXLESS_JOBS_URI', `s3://${JOBS_BUCKET}/${lambdaForm.vadPrefix}`);
  vi.stubEnv('ONNXLESS_JOBS_FUNCTION', `${FUNCTIONS.vad}:live`);
  handlers[FUNCTIONS.vad] = createLambdaHandler(
    { name: 'voice-activity', uri: REAL_MODELS.sileroVad, ...settings },
    { sink: NO_SINK, pipeline: getPipeline('voiceActivity') },
  );
  vi.stubEnv('ONNXLESS_JOBS_URI', `s3://${JOBS_BUCKET}/lambda/tiny/`);
  vi.stubEnv('ONNXLESS_JOBS_FUNCTION', `${FUNCTIONS.tiny}:live`);
  handlers[FUNCTIONS.tiny] = createLambdaHandler({ name: 'tiny', uri: REAL_MODELS.textOrientation, ...settings }, { sink: NO_SINK });
}, 60_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await server?.drain(5000);
  await lambda?.close();
});

for (const form of [serveForm, lambdaForm]) {
  describe(`asynchronous requests on ${form.name}`, () => {
    it('answers 202 with the job, its Location and Preference-Applied, and the job holds the synchronous answer', async () => {
      const sync = await form.send('POST', '/models/voice-activity/predict', SPEECH, { 'content-type': 'audio/wav' });
      const { accepted, status } = await throughJob(form, '/models/voice-activity/predict', SPEECH, { 'content-type': 'audio/wav' });

      expect(sync.status).toBe(200);
      expect(accepted.headers['preference-applied']).toBe('respond-async');
      expect(accepted.headers.location).toBe(`/models/voice-activity/jobs/${accepted.json().id}`);
      expect(accepted.json()).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'pending' });
      expect(status).toMatchObject({ id: accepted.json().id, model: 'voice-activity', status: 'succeeded' });
      expect(status.result).toEqual(sync.json());
      expect(status.result.segments).toHaveLength(1);
    });

    it('keeps the query of the request: the job answers as the route does with it', async () => {
      const path = '/models/voice-activity/predict?probabilities=true';
      const sync = await form.send('POST', path, SPEECH, { 'content-type': 'audio/wav' });
      const { status } = await throughJob(form, path, SPEECH, { 'content-type': 'audio/wav' });
      expect(status.result).toEqual(sync.json());
      expect(status.result.probabilities.length).toBeGreaterThan(0);
    });

    it('takes OIP infer asynchronously: the job holds the synchronous outputs', async () => {
      const sync = await form.send('POST', '/v2/models/tiny/infer', TENSORS, { 'content-type': 'application/json' });
      const { accepted, status } = await throughJob(form, '/v2/models/tiny/infer', TENSORS, { 'content-type': 'application/json' });
      expect(sync.status).toBe(200);
      expect(accepted.headers.location).toBe(`/models/tiny/jobs/${accepted.json().id}`);
      expect(status.status).toBe('succeeded');
      expect(status.result).toEqual(sync.json());
    });

    it('ends a failing input as failed, with the error the synchronous route gives', async () => {
      const sync = await form.send('POST', '/models/voice-activity/predict', NOT_A_WAV, { 'content-type': 'audio/wav' });
      const { status } = await throughJob(form, '/models/voice-activity/predict', NOT_A_WAV, { 'content-type': 'audio/wav' });
      expect(sync.status).toBe(400);
      expect(status).toMatchObject({ status: 'failed', error: sync.json().error });
      expect(status).not.toHaveProperty('result');
    });

    it('answers 404 for an unknown job and 400 for a malformed id', async () => {
      const unknown = await form.send('GET', '/models/voice-activity/jobs/0b1f4c4e-8c0a-4d6e-9f3a-2b7c1d5e6f70');
      const malformed = await form.send('GET', '/models/voice-activity/jobs/..%2F..%2Fsecret');
      const otherModel = await form.send('GET', '/models/nope/jobs/0b1f4c4e-8c0a-4d6e-9f3a-2b7c1d5e6f70');
      expect(unknown.status).toBe(404);
      expect(unknown.json().error).toContain('no job');
      expect(malformed.status).toBe(400);
      expect(malformed.json().error).toContain('not a job id');
      expect(otherModel.status).toBe(404);
    });

    it('calls the webhook once, after the answer is written, with the final status', async () => {
      const path = `/hook/${form.vadPrefix}`;
      const before = receiver.calls.filter((c) => c.path === path).length;
      const { accepted, status } = await throughJob(form, '/models/voice-activity/predict', SPEECH, {
        'content-type': 'audio/wav',
        'onnxless-webhook': receiver.url(path),
      });
      await waitFor(() => receiver.calls.filter((c) => c.path === path).length > before, 10_000, 'the webhook call');
      await form.settle();
      const calls = receiver.calls.filter((c) => c.path === path);
      expect(calls).toHaveLength(before + 1);
      expect(calls.at(-1)).toMatchObject({ method: 'POST', contentType: 'application/json' });
      expect(calls.at(-1)?.body).toEqual(status);
      expect(calls.at(-1)?.body).toMatchObject({ id: accepted.json().id, status: 'succeeded' });
    });

    it('refuses a webhook that is not http(s), has credentials, or names a host not allowed, before storing anything', async () => {
      for (const [hook, why] of [
        ['file:///etc/passwd', 'only http and https'],
        ['http://169.254.169.254/latest/meta-data/', 'not among the hosts'],
        [`http://user:pw@${receiver.host}/`, 'credentials'],
        ['not a url', 'not a URL'],
      ] as const) {
        const refused = await form.send('POST', '/models/voice-activity/predict', SPEECH, {
          'content-type': 'audio/wav',
          prefer: 'respond-async',
          'onnxless-webhook': hook,
        });
        expect(refused.status, hook).toBe(400);
        expect(refused.json().error).toContain(why);
      }
    });

    it('honours respond-async among other preferences, and without it answers synchronously as before', async () => {
      const mixed = await submit(form, '/models/voice-activity/predict', SPEECH, {
        'content-type': 'audio/wav',
        prefer: 'return=minimal, wait=10, RESPOND-ASYNC; foo="a,b"',
      });
      const other = await form.send('POST', '/models/voice-activity/predict', SPEECH, {
        'content-type': 'audio/wav',
        prefer: 'return=minimal, wait=5',
      });
      const none = await form.send('POST', '/models/voice-activity/predict', SPEECH, { 'content-type': 'audio/wav' });
      await form.settle();
      expect(mixed.status).toBe(202);
      expect(other.status).toBe(200);
      expect(other.headers['preference-applied']).toBeUndefined();
      expect(other.json()).toEqual(none.json());
    });
  });
}

describe('onnxless serve with jobs', () => {
  it('describes the job routes and the 202 in its OpenAPI document', async () => {
    const document = (await call(server.url, 'GET', '/openapi.json')).json();
    expect(
      Object.keys(document.paths)
        .filter((p: string) => p.includes('/jobs/'))
        .sort(),
    ).toEqual(['/models/tiny/jobs/{job}', '/models/voice-activity/jobs/{job}']);
    expect(document.paths['/models/voice-activity/predict'].post.responses['202']).toBeDefined();
  });
});

describe('onnxless serve draining', () => {
  it('lets a job taken before the drain write its answer', async () => {
    const prefix = 'serve-drain/';
    const draining = await startTestServer(
      { models: { 'voice-activity': { weights: REAL_MODELS.sileroVad, pipeline: 'voiceActivity' } } },
      {
        resolvePipeline: getPipeline,
        s3Client: s3.client,
        jobs: { location: { bucket: JOBS_BUCKET, key: prefix }, webhooks: { hosts: [] } },
      },
    );
    const accepted = await call(draining.url, 'POST', '/models/voice-activity/predict', SPEECH, {
      'content-type': 'audio/wav',
      prefer: 'respond-async',
    });
    expect(accepted.status).toBe(202);
    expect(await draining.drain(30_000)).toBe(true);
    const key = `${prefix}voice-activity/${accepted.json().id}/status.json`;
    const status = JSON.parse(
      await (await s3.setupClient.send(new GetObjectCommand({ Bucket: JOBS_BUCKET, Key: key }))).Body!.transformToString(),
    );
    expect(status).toMatchObject({ status: 'succeeded', result: { segments: [expect.anything()] } });
  }, 60_000);
});

describe('the stored job', () => {
  it('keeps the request and the answer under the function’s jobs prefix', async () => {
    const { accepted } = await throughJob(lambdaForm, '/models/voice-activity/predict', SPEECH, { 'content-type': 'audio/wav' });
    const id = accepted.json().id as string;
    const read = async (name: string) =>
      JSON.parse(
        await (
          await s3.setupClient.send(
            new GetObjectCommand({ Bucket: JOBS_BUCKET, Key: `${lambdaForm.vadPrefix}voice-activity/${id}/${name}` }),
          )
        ).Body!.transformToString(),
      );
    const request = await read('request.json');
    const status = await read('status.json');
    expect(Buffer.from(request.body, 'base64').equals(SPEECH)).toBe(true);
    expect(request).toMatchObject({ id, model: 'voice-activity', path: '/models/voice-activity/predict', contentType: 'audio/wav' });
    expect(status).toMatchObject({ id, status: 'succeeded' });
  });

  it('costs four S3 requests from the 202 to the written answer: the request PUT and GET, the status GET and PUT', async () => {
    s3.proxy.reset();
    const accepted = await lambdaForm.send('POST', '/v2/models/tiny/infer', TENSORS, {
      'content-type': 'application/json',
      prefer: 'respond-async',
    });
    expect(accepted.status).toBe(202);
    await lambdaForm.settle();
    const job = `lambda/tiny/tiny/${accepted.json().id}`;
    expect(s3.proxy.requests.map((r) => `${r.method} ${r.path.slice(r.path.indexOf(job) + job.length)}`)).toEqual([
      'PUT /request.json',
      'GET /request.json',
      'GET /status.json',
      'PUT /status.json',
    ]);
  });

  it('invokes the function’s own alias with an Event invocation naming only the job', async () => {
    const before = lambda.invokes.length;
    const { accepted } = await throughJob(lambdaForm, '/v2/models/tiny/infer', TENSORS, { 'content-type': 'application/json' });
    const invokes = lambda.invokes.slice(before);
    expect(invokes).toEqual([
      {
        functionName: FUNCTIONS.tiny,
        qualifier: 'live',
        invocationType: 'Event',
        payload: { onnxlessJob: { model: 'tiny', id: accepted.json().id } },
      },
    ]);
  });

  it('answers 503 with Retry-After when the run cannot be started, and stores the job as failed, not pending', async () => {
    // The function name the Invoke API does not know: the SDK's invoke fails.
    vi.stubEnv('ONNXLESS_JOBS_URI', `s3://${JOBS_BUCKET}/lambda/unstartable/`);
    vi.stubEnv('ONNXLESS_JOBS_FUNCTION', 'onnxless-test-nowhere:live');
    const handler = createLambdaHandler(
      { name: 'tiny', uri: REAL_MODELS.textOrientation, cacheDir: tempDir(), eager: false, session: {}, limits: DEFAULT_LIMITS },
      { sink: NO_SINK },
    );
    const result = (await handler(
      httpApiEvent('POST', '/v2/models/tiny/infer', {
        body: TENSORS,
        headers: { 'content-type': 'application/json', prefer: 'respond-async' },
      }),
    )) as Result;
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['retry-after']).toBe('1');
    expect(JSON.parse(result.body).error).toContain('could not be started');
    const listed = await s3.setupClient.send(new ListObjectsV2Command({ Bucket: JOBS_BUCKET, Prefix: 'lambda/unstartable/' }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!).sort();
    expect(keys).toEqual([
      expect.stringMatching(/^lambda\/unstartable\/tiny\/[0-9a-f-]{36}\/request\.json$/),
      expect.stringMatching(/status\.json$/),
    ]);
    const status = JSON.parse(
      await (await s3.setupClient.send(new GetObjectCommand({ Bucket: JOBS_BUCKET, Key: keys[1] }))).Body!.transformToString(),
    );
    expect(status).toMatchObject({ status: 'failed', error: 'the job could not be started' });
  });

  it('records a job Lambda gave up on (its on-failure destination record) as failed, and runs it no more', async () => {
    // A job whose run never happened: the request stored, the event queued and lost, then the record.
    const invokes = lambda.invokes.length;
    const runs = lambda.runs.length;
    lambda.loseEvents(1);
    const accepted = await lambdaForm.send('POST', '/models/voice-activity/predict', SPEECH, {
      'content-type': 'audio/wav',
      prefer: 'respond-async',
    });
    const id = accepted.json().id as string;
    const handler = handlers[FUNCTIONS.vad] as LambdaHandler;
    const record = {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId: 'r',
        functionArn: `arn:aws:lambda:us-east-1:123456789012:function:${FUNCTIONS.vad}:live`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: 1,
      },
      requestPayload: { onnxlessJob: { model: 'voice-activity', id } },
      responseContext: { statusCode: 200, executedVersion: '1', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: 'Task timed out after 30.00 seconds' },
    };
    expect(lambda.invokes).toHaveLength(invokes + 1);
    expect(lambda.runs).toHaveLength(runs);
    expect((await lambdaForm.send('GET', `/models/voice-activity/jobs/${id}`)).json().status).toBe('pending');
    await handler(record);
    const status = (await lambdaForm.send('GET', `/models/voice-activity/jobs/${id}`)).json();
    expect(status).toMatchObject({ id, status: 'failed', error: expect.stringContaining('RetriesExhausted') });
    // A late delivery of the run itself finds the job ended and leaves it so.
    await handler({ onnxlessJob: { model: 'voice-activity', id } });
    expect((await lambdaForm.send('GET', `/models/voice-activity/jobs/${id}`)).json()).toEqual(status);
  });
});
