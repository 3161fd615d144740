import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes } from '../../../lib/core/http/routeTable';
import { routesInfo } from '../../../lib/tools/deploy/plan';
import { pipelineCatalog, pipelineRoutes } from '../../../lib/tools/deploy/pipelineFunction';
import { DEFAULT_ACCESS_LOG_RETENTION_DAYS, DEFAULT_THROTTLE, readRegistryFile, type Registry } from '../../../lib/core/registry/index';
import {
  EXAMPLE_REGISTRY,
  lambdaFunction,
  packageService,
  removeService,
  resourcesOfType,
  routes,
  serviceConfig,
  type PackagedService,
} from './serviceFixture';

// One real `serverless package` of the example registry (the fixture copy), with one model given its own
// limits: the template is read as CloudFormation would get it.

const TINY_THROTTLE = { rateLimit: 10, burstLimit: 20 };

describe('the packaged HTTP API', () => {
  let pkg: PackagedService;
  let registry: Registry;

  beforeAll(async () => {
    registry = await readRegistryFile(EXAMPLE_REGISTRY, { env: {} });
    const config = await serviceConfig((doc) => {
      doc.setIn(['custom', 'onnxless', 'models', 'tiny', 'reservedConcurrency'], 5);
      doc.setIn(['custom', 'onnxless', 'models', 'tiny', 'throttle'], doc.createNode(TINY_THROTTLE));
    });
    pkg = await packageService(config);
  }, 170_000);
  afterAll(() => removeService(pkg));

  const lambdaModels = () => Object.entries(registry.models).filter(([, entry]) => entry.runtime !== 'gpu');

  it('has exactly the route table: every model route, its version routes, the server routes and $default', () => {
    const expected = new Map<string, string>();
    const models = Object.fromEntries(lambdaModels().map(([name, entry]) => [name, routesInfo(entry)]));
    for (const { method, path: p } of allRoutes(models)) {
      const model = /\/models\/([^/]+)/.exec(p)?.[1];
      expected.set(`${method} ${p}`, model ?? 'server');
    }
    // A pipeline's function answers its own route and each member model's OIP routes.
    for (const [pipeline, entry] of Object.entries(registry.pipelines ?? {})) {
      for (const { method, path: p } of pipelineRoutes(pipeline, entry)) expected.set(`${method} ${p}`, pipeline);
    }
    // Every other path, the browser pages among them (no open route of their own under IAM: they
    // describe the models), goes to the server function.
    expected.set('$default', 'server');

    const table = new Map([...routes(pkg.template)].map(([key, route]) => [key, route.fn]));

    expect(table).toEqual(expected);
    expect(table.get('GET /v2/models/tiny/versions/1')).toBe('tiny');
    expect(table.get('POST /v2/models/tiny/versions/1/infer')).toBe('tiny');
    expect([table.get('POST /models/ocr/predict'), table.get('POST /v2/models/ocr-detection/versions/1/infer')]).toEqual(['ocr', 'ocr']);
  });

  it('tells the server function every model, version and domain route, for its 404s', () => {
    const env = lambdaFunction(pkg.template, 'server').Properties.Environment.Variables;
    const catalog = String(env.ONNXLESS_MODEL_CATALOG).split(',');
    expect(catalog).toEqual(expect.arrayContaining(['tiny@1', 'text-orientation@1+predict']));
    const pipelineEntries = Object.entries(registry.pipelines ?? {}).flatMap(([name, entry]) => Object.keys(pipelineCatalog(name, entry)));
    expect(catalog).toEqual(expect.arrayContaining(['ocr+predict', 'ocr-recognition@1']));
    expect(catalog).toHaveLength(lambdaModels().length + pipelineEntries.length);
  });

  it('protects every route, $default and so the browser pages included', () => {
    for (const [key, route] of routes(pkg.template)) expect([key, route.authorizationType]).toEqual([key, 'AWS_IAM']);
  });

  it('reserves the concurrency a model asks for, and none for the others', () => {
    expect(lambdaFunction(pkg.template, 'tiny').Properties.ReservedConcurrentExecutions).toBe(5);
    expect(lambdaFunction(pkg.template, 'text-orientation').Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it("throttles every route by default, and a model's routes by its own throttle", () => {
    const [[, stage]] = resourcesOfType(pkg.template, 'AWS::ApiGatewayV2::Stage') as [[string, any]];
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({
      ThrottlingRateLimit: DEFAULT_THROTTLE.rateLimit,
      ThrottlingBurstLimit: DEFAULT_THROTTLE.burstLimit,
    });
    const own = { ThrottlingRateLimit: TINY_THROTTLE.rateLimit, ThrottlingBurstLimit: TINY_THROTTLE.burstLimit };
    const tinyKeys = [...routes(pkg.template)].filter(([, r]) => r.fn === 'tiny').map(([key]) => key);
    expect(tinyKeys.length).toBe(6);
    expect(stage.Properties.RouteSettings).toEqual(Object.fromEntries(tinyKeys.map((key) => [key, own])));
    // CloudFormation creates the routes before the stage that names them.
    const routeIds = resourcesOfType(pkg.template, 'AWS::ApiGatewayV2::Route')
      .filter(([, r]) => tinyKeys.includes(r.Properties.RouteKey))
      .map(([id]) => id);
    expect(stage.DependsOn).toEqual(expect.arrayContaining(routeIds));
  });

  it('writes access logs to a log group kept for the registry retention', () => {
    const [[, stage]] = resourcesOfType(pkg.template, 'AWS::ApiGatewayV2::Stage') as [[string, any]];
    expect(stage.Properties.AccessLogSettings.DestinationArn).toEqual({ 'Fn::GetAtt': ['HttpApiLogGroup', 'Arn'] });
    expect(JSON.parse(stage.Properties.AccessLogSettings.Format)).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
    });
    expect(pkg.template.Resources.HttpApiLogGroup?.Properties.RetentionInDays).toBe(DEFAULT_ACCESS_LOG_RETENTION_DAYS);
  });
});
