import { readFile, readdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_MODELS } from '../../../lib/tools/local/exampleWeights';
import { inspectModel } from '../../../lib/tools/store/inspectModel';
import { pushModel } from '../../../lib/tools/store/pushModel';
import { httpApiEvent, jsonBody, type Result } from '../../support/httpApiEvent';
import { startLocalLambdaEndpoint, type LocalLambdaEndpoint } from '../../support/localLambdaEndpoint';
import { startLocalS3, type LocalS3 } from '../../support/localS3';
import { cfnSpecProblems } from './cfnSpec';
import { startPackagedFunction, type LambdaSandbox } from './lambdaSandbox';
import {
  ROOT,
  lambdaFunction,
  packageService,
  removeService,
  resourcesOfType,
  serviceConfig,
  type PackagedService,
} from './serviceFixture';

/**
 * `jobs:` through the real `serverless package` (osls): the framework compiles the plan's
 * `destinations` and `maximumRetryAttempts` into an AWS::Lambda::EventInvokeConfig on each
 * function's `live` alias, the job routes join the HTTP API, and the template passes the
 * CloudFormation specification check.
 */
describe('serverless package of a registry with jobs', () => {
  let pkg: PackagedService;

  beforeAll(async () => {
    pkg = await packageService(
      await serviceConfig((doc) => {
        doc.setIn(['custom', 'onnxless', 'jobs'], { prefix: 'async/', webhookHosts: ['hooks.example.com'] });
        doc.setIn(['custom', 'onnxless', 'models'], {
          tiny: { weights: 's3://${self:custom.onnxless.bucket.name}/tiny/1/' },
          'voice-activity': {
            weights: 's3://${self:custom.onnxless.bucket.name}/voice-activity/1/',
            handler: 'handlers/voice-activity.handler',
          },
        });
      }),
    );
  }, 170_000);
  afterAll(() => removeService(pkg));

  const functionId = (key: string) =>
    resourcesOfType(pkg.template, 'AWS::Lambda::Function').find(([, r]) => String(r.Properties.FunctionName).endsWith(`-${key}`))![0];

  it("sends each function's failed asynchronous invocations to its own live alias, with no retry", () => {
    const configs = resourcesOfType(pkg.template, 'AWS::Lambda::EventInvokeConfig');
    expect(configs.map(([, r]) => r.Properties.FunctionName)).toEqual(
      expect.arrayContaining([{ Ref: functionId('tiny') }, { Ref: functionId('voice-activity') }]),
    );
    expect(configs).toHaveLength(2);
    for (const [, config] of configs) {
      const fn = resourcesOfType(pkg.template, 'AWS::Lambda::Function').find(([id]) => id === config.Properties.FunctionName.Ref)![1];
      expect(config.Properties).toMatchObject({
        Qualifier: 'live',
        MaximumRetryAttempts: 0,
        DestinationConfig: {
          OnFailure: {
            Destination: {
              'Fn::Sub': `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${fn.Properties.FunctionName}:live`,
            },
          },
        },
      });
      // Made once the alias exists: the configuration names it.
      expect([config.DependsOn].flat()).toEqual(expect.arrayContaining([expect.stringMatching(/AliasLive$/)]));
    }
  });

  it('routes each model’s jobs to its own function and gives it its jobs prefix', () => {
    const routes = resourcesOfType(pkg.template, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey as string);
    expect(routes).toEqual(expect.arrayContaining(['GET /models/tiny/jobs/{job}', 'GET /models/voice-activity/jobs/{job}']));
    const env = (key: string) =>
      resourcesOfType(pkg.template, 'AWS::Lambda::Function').find(([id]) => id === functionId(key))![1].Properties.Environment.Variables;
    expect(env('tiny')).toMatchObject({
      ONNXLESS_JOBS_URI: expect.stringMatching(/^s3:\/\/[^/]+\/async\/tiny\/$/),
      ONNXLESS_JOBS_FUNCTION: expect.stringMatching(/-tiny:live$/),
      ONNXLESS_WEBHOOK_HOSTS: 'hooks.example.com',
    });
  });

  it('passes the CloudFormation specification check', () => {
    expect(cfnSpecProblems(pkg.template)).toEqual([]);
  });

  /**
   * The voice-activity function from its own zip and layer zips as Lambda lays them out
   * (lambdaSandbox.ts), with the template's environment: its job goes to a real S3-protocol
   * server, and its Event invoke of its own alias to Lambda's Invoke API over HTTP, which runs
   * the job event in the same sandbox. The project's node_modules stands in for the runtime's
   * AWS SDK (/var/runtime/node_modules), which the job code requires and the bundle leaves out.
   */
  describe('the asynchronous path from the packaged zip', () => {
    let s3: LocalS3;
    let lambda: LocalLambdaEndpoint;
    let sandbox: LambdaSandbox;
    let scratch: string;
    // One event at a time into the sandbox, as one Lambda execution environment takes them.
    let queue: Promise<unknown> = Promise.resolve();
    const invoke = (event: unknown): Promise<Result> => {
      const run = queue.then(() => sandbox.invoke(event));
      queue = run.catch(() => undefined);
      return run as Promise<Result>;
    };

    beforeAll(async () => {
      const env = lambdaFunction(pkg.template, 'voice-activity').Properties.Environment.Variables as Record<string, string>;
      const weights = new URL(env.ONNXLESS_MODEL_URI!);
      s3 = await startLocalS3([weights.host]);
      await pushModel(s3.setupClient, await inspectModel(EXAMPLE_MODELS['voice-activity']!, 'voice-activity'), {
        bucket: weights.host,
        prefix: weights.pathname.slice(1),
      });
      lambda = await startLocalLambdaEndpoint({ [env.ONNXLESS_JOBS_FUNCTION!.split(':')[0]!]: (event) => invoke(event) });
      const layerZips = new Map<string, string>();
      for (const layer of await readdir(path.join(ROOT, 'layers'))) {
        const dist = path.join(ROOT, 'layers', layer, 'dist');
        for (const file of await readdir(dist).catch(() => [])) if (file.endsWith('.zip')) layerZips.set(file, path.join(dist, file));
      }
      scratch = await mkdtemp(path.join(os.tmpdir(), 'onnxless-async-zip-'));
      sandbox = await startPackagedFunction({
        template: pkg.template,
        out: pkg.out,
        key: 'voice-activity',
        layerZip: (file) => layerZips.get(file) ?? '',
        s3Endpoint: s3.endpoint,
        cacheDir: scratch,
        env: { AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint },
        runtimeModules: path.join(ROOT, 'node_modules'),
      });
    }, 120_000);
    afterAll(async () => {
      await sandbox?.stop();
      await lambda?.close();
      await s3?.close();
      if (scratch) await rm(scratch, { recursive: true, force: true });
    });

    it('answers 202, runs the job from an Event invoke of its live alias, and the job holds the synchronous answer', async () => {
      const wav = await readFile(path.join(ROOT, 'test/fixtures/audio/speech-in-silence.wav'));
      const request = (headers: Record<string, string>) =>
        httpApiEvent('POST', '/models/voice-activity/predict', { body: wav, headers: { 'content-type': 'audio/wav', ...headers } });
      const sync = await invoke(request({}));
      const accepted = await invoke(request({ prefer: 'respond-async' }));
      expect(sync.statusCode, sync.body).toBe(200);
      expect(accepted.statusCode, accepted.body).toBe(202);
      await Promise.all(lambda.runs);
      await queue;
      expect(lambda.invokes).toMatchObject([
        { qualifier: 'live', invocationType: 'Event', payload: { onnxlessJob: { id: jsonBody(accepted).id } } },
      ]);
      const status = await invoke(httpApiEvent('GET', accepted.headers!.location as string));
      expect(status.statusCode, status.body).toBe(200);
      expect(jsonBody(status)).toMatchObject({ id: jsonBody(accepted).id, status: 'succeeded', result: jsonBody(sync) });
    });
  });
});
