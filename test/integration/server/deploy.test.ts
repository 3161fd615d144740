import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GPU_IMAGE_NAME, GPU_IMAGE_PLACEHOLDER, pipelineOfHandler } from '../../../lib/tools/deploy/containers';
import type { PlanContext } from '../../../lib/tools/deploy/DeploymentPlan';
import { planDeployment } from '../../../lib/tools/deploy/plan';
import { parseRegistry, RegistryError } from '../../../lib/core/registry/index';
import {
  ROOT,
  allowStatements,
  makeService,
  packageService,
  removeService,
  resourcesOfType,
  routes,
  runServerless,
  serviceConfig,
  type PackagedService,
} from '../deploy/serviceFixture';

const ctx: PlanContext = {
  service: 'onnxless',
  stage: 'dev',
  runtime: 'nodejs22.x',
  naming: {
    getNormalizedFunctionName: (n) => n.replace(/-/g, 'Dash').replace(/^./, (c) => c.toUpperCase()),
    getLambdaLayerLogicalId: (n) => `${n}LambdaLayer`,
  },
  root: ROOT,
  bundleExtension: '.js',
  ecrRepository: 'serverless-onnxless-dev',
};

const ECR_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/onnxless-gpu:1.0';

function registry(models: Record<string, unknown>) {
  return parseRegistry({ bucket: { name: 'models-dev' }, models });
}

describe('registry: package: image and runtime: gpu, planned', () => {
  const plan = planDeployment(
    registry({
      small: { weights: 's3://models-dev/small/model.onnx' },
      big: {
        weights: 's3://models-dev/big/model.onnx',
        sha256: 'a'.repeat(64),
        package: 'image',
        architecture: 'arm64',
        handler: 'handlers/text-orientation.handler',
      },
      vision: {
        weights: 's3://models-dev/vision/model.onnx',
        runtime: 'gpu',
        instanceType: 'ml.g5.xlarge',
        handler: 'handlers/text-recognition.handler',
        batching: { maxBatchSize: 16, maxQueueDelayMs: 3 },
      },
      pinned: {
        weights: 's3://models-dev/pinned/model.onnx',
        runtime: 'gpu',
        instanceType: 'ml.g6.2xlarge',
        image: ECR_IMAGE,
        cpuFallback: true,
      },
    }),
    ctx,
  );

  it('makes an image function for package: image, built from images/Dockerfile.lambda with the weights fetched at init', () => {
    const fn = plan.functions.big!;
    expect(fn.image).toEqual({ name: 'img-big' });
    expect(fn.handler).toBeUndefined();
    expect(fn.layers).toBeUndefined();
    expect(fn.package).toBeUndefined();
    expect(fn.environment).toMatchObject({ ONNXLESS_MODEL_NAME: 'big', ONNXLESS_MODEL_URI: 's3://models-dev/big/model.onnx' });
    expect(plan.ecrImages['img-big']).toEqual({
      path: '.',
      file: 'images/Dockerfile.lambda',
      buildArgs: {
        MODEL_NAME: 'big',
        MODEL_URI: 's3://models-dev/big/model.onnx',
        MODEL_SHA256: 'a'.repeat(64),
        HANDLER: 'handlers/text-orientation.handler',
        ARCH: 'arm64',
      },
      platform: 'linux/arm64',
    });
    // Zip models are untouched.
    expect(plan.functions.small!.handler).toBe('.onnxless/handlers/tensor.handler');
    expect(plan.functions.small!.layers).toHaveLength(1);
  });

  it('makes no Lambda for runtime: gpu but a SageMaker model, endpoint config and endpoint on its instance type', () => {
    expect(plan.functions.vision).toBeUndefined();
    const model = plan.resources.VisionSageMakerModel as any;
    expect(model.Type).toBe('AWS::SageMaker::Model');
    expect(model.Properties.PrimaryContainer.Image).toBe(GPU_IMAGE_PLACEHOLDER);
    expect(model.Properties.PrimaryContainer.Environment).toEqual({
      ONNXLESS_MODEL_NAME: 'vision',
      ONNXLESS_MODEL_URI: 's3://models-dev/vision/model.onnx',
      ONNXLESS_EXECUTION_PROVIDERS: 'cuda',
      ONNXLESS_CPU_FALLBACK: 'false',
      ONNXLESS_PIPELINE: 'textRecognition',
      ONNXLESS_MAX_BATCH_SIZE: '16',
      ONNXLESS_MAX_QUEUE_DELAY_MS: '3',
    });
    const config = plan.resources.VisionSageMakerEndpointConfig as any;
    expect(config.Properties.ProductionVariants[0]).toMatchObject({
      InstanceType: 'ml.g5.xlarge',
      InitialInstanceCount: 1,
      ModelName: { 'Fn::GetAtt': ['VisionSageMakerModel', 'ModelName'] },
    });
    expect((plan.resources.VisionSageMakerEndpoint as any).Properties).toEqual({
      EndpointName: 'onnxless-dev-vision',
      EndpointConfigName: { 'Fn::GetAtt': ['VisionSageMakerEndpointConfig', 'EndpointConfigName'] },
    });
    expect(plan.outputs.VisionSageMakerEndpointName).toBeDefined();
  });

  it('builds the GPU image once when a GPU model names none, and uses a named ECR image as it is', () => {
    expect(plan.buildsGpuImage).toBe(true);
    expect(plan.ecrImages[GPU_IMAGE_NAME]).toEqual({ path: '.', file: 'images/Dockerfile.gpu', platform: 'linux/amd64' });
    const pinned = plan.resources.PinnedSageMakerModel as any;
    expect(pinned.Properties.PrimaryContainer.Image).toBe(ECR_IMAGE);
    expect(pinned.Properties.PrimaryContainer.Environment.ONNXLESS_CPU_FALLBACK).toBe('true');
  });

  it("lets each endpoint's role read exactly its weights and pull exactly its image's repository", () => {
    const role = (plan.resources.PinnedSageMakerRole as any).Properties;
    expect(role.AssumeRolePolicyDocument.Statement[0].Principal.Service).toEqual(['sagemaker.amazonaws.com']);
    const statements = role.Policies[0].PolicyDocument.Statement;
    expect(JSON.stringify(statements[0].Resource)).toContain(':s3:::models-dev/pinned/model.onnx');
    expect(JSON.stringify(statements[1].Resource)).toContain(':repository/onnxless-gpu');
    expect(
      JSON.stringify((plan.resources.VisionSageMakerRole as any).Properties.Policies[0].PolicyDocument.Statement[1].Resource),
    ).toContain(':repository/serverless-onnxless-dev');
  });

  it('fails naming the model and field for a GPU model without an instance type, or GPU fields on a Lambda model', () => {
    const err = (() => {
      try {
        planDeployment(
          registry({
            a: { weights: 's3://models-dev/a.onnx', runtime: 'gpu' },
            b: { weights: 's3://models-dev/b.onnx', instanceType: 'ml.g5.xlarge' },
            c: { weights: 's3://models-dev/c.onnx', runtime: 'gpu', instanceType: 'ml.g5.xlarge', memorySize: 4096 },
          }),
          ctx,
        );
      } catch (e) {
        return e;
      }
    })() as RegistryError;
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.problems).toEqual([
      "model 'a': instanceType: required with runtime: gpu (a SageMaker GPU instance such as ml.g5.xlarge)",
      "model 'b': instanceType: only for runtime: gpu",
      "model 'c': memorySize: a Lambda setting; runtime: gpu runs on SageMaker (drop it)",
    ]);
  });

  it("maps a model's handler to the server's pipeline of the same name", () => {
    expect(pipelineOfHandler('handlers/voice-activity.handler')).toBe('voiceActivity');
    expect(pipelineOfHandler('handlers/tensor.handler')).toBeUndefined();
  });
});

describe('serverless package (osls, offline) with container models', () => {
  let pkg: PackagedService | undefined;
  let imageService: string | undefined;

  afterAll(async () => {
    await removeService(pkg);
    await removeService(imageService ? { dir: imageService } : undefined);
  });

  it('puts a GPU model with its ECR image into the stack as SageMaker resources, and no function for it', async () => {
    pkg = await packageService(
      await serviceConfig((doc) => {
        doc.setIn(['custom', 'onnxless', 'models'], {
          vision: {
            weights: 's3://onnxless-models-dev/vision/1/model.onnx',
            runtime: 'gpu',
            instanceType: 'ml.g5.xlarge',
            image: ECR_IMAGE,
          },
        });
      }),
    );
    const types = (t: string) => resourcesOfType(pkg!.template, t).map(([id]) => id);
    expect(types('AWS::SageMaker::Model')).toEqual(['VisionSageMakerModel']);
    expect(types('AWS::SageMaker::EndpointConfig')).toEqual(['VisionSageMakerEndpointConfig']);
    expect(types('AWS::SageMaker::Endpoint')).toEqual(['VisionSageMakerEndpoint']);
    expect(resourcesOfType(pkg.template, 'AWS::Lambda::Function').map(([, r]) => r.Properties.FunctionName)).toEqual([
      'onnxless-dev-server',
    ]);
    expect([...routes(pkg.template).keys()].some((k) => k.includes('vision'))).toBe(false);
    const model = pkg.template.Resources.VisionSageMakerModel!;
    expect(model.Properties.PrimaryContainer.Image).toBe(ECR_IMAGE);
    const reads = allowStatements(pkg.template).filter((s) => s.actions.includes('s3:GetObject'));
    expect(reads.find((s) => s.role === 'VisionSageMakerRole')?.resources).toEqual([
      'arn:aws:s3:::onnxless-models-dev/vision/1/model.onnx',
    ]);
  }, 120_000);

  it('hands a package: image model to the framework as an image function, whose build then needs AWS (ECR) and Docker', async () => {
    const config = await serviceConfig((doc) => {
      doc.setIn(['custom', 'onnxless', 'models'], { big: { weights: 's3://onnxless-models-dev/big/1/model.onnx', package: 'image' } });
    });
    imageService = await makeService(config);
    await symlink(path.join(ROOT, 'images'), path.join(imageService, 'images'));
    const { code, output } = await runServerless(imageService, ['package', '--package', path.join(imageService, 'out')]);
    // The function's image and provider.ecr.images were accepted and the Dockerfile found; the
    // framework's image build starts by asking ECR for the repository, and AWS is unreachable here.
    expect(code).not.toBe(0);
    expect(output).toMatch(/ECONNREFUSED 127\.0\.0\.1:9|Could not find Docker installation/);
    expect(output).not.toMatch(/ONNXLESS_REGISTRY|Configuration error|Could not access Dockerfile|not defined in "provider\.ecr\.images"/);
  }, 120_000);
});
