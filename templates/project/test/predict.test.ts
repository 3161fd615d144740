import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { InferenceSession } from 'onnxruntime-node';
import type { ModelRunner, PredictRequest, TensorSpec } from 'onnxless/pipeline';
import { createPredictPipeline } from '../pipelines/predict.ts';

// The pipeline in-process against the model file itself: no server, no S3, no network. Each test
// is awaited: they run one after the other, and no promise is left unhandled.
const MODEL = fileURLToPath(new URL('../models/example/model.onnx', import.meta.url));

async function loadRunner(path: string): Promise<ModelRunner> {
  const session = await InferenceSession.create(path);
  const spec = (meta: InferenceSession.ValueMetadata): TensorSpec => ({
    name: meta.name,
    type: meta.isTensor ? meta.type : 'unknown',
    shape: meta.isTensor ? meta.shape : [],
  });
  return {
    inputs: session.inputMetadata.map(spec),
    outputs: session.outputMetadata.map(spec),
    run: (feeds, names) => (names ? session.run(feeds, names) : session.run(feeds)),
  };
}

const json = (body: unknown): PredictRequest => ({ contentType: 'application/json', body: Buffer.from(JSON.stringify(body)), query: {} });

await test('answers the sum and the mean of each row of x', async () => {
  const runner = await loadRunner(MODEL);

  const result = await createPredictPipeline().predict(
    json({
      x: [
        [1, 2, 3, 4],
        [0.5, -1, 2, 6.5],
      ],
    }),
    runner,
  );

  assert.deepEqual(result, {
    y: [
      [10, 2.5],
      [8, 2],
    ],
  });
});

await test('refuses a row of the wrong length with a 400 naming it', async () => {
  const runner = await loadRunner(MODEL);

  const predict = createPredictPipeline().predict(
    json({
      x: [
        [1, 2, 3, 4],
        [1, 2, 3],
      ],
    }),
    runner,
  );

  await assert.rejects(predict, { name: 'BadRequestError', status: 400, message: 'x[1]: expected 4 numbers, got 3' });
});

await test('refuses a body that is not JSON with a 400', async () => {
  const runner = await loadRunner(MODEL);
  const request: PredictRequest = { contentType: 'application/json', body: Buffer.from('{"x": [[1, 2'), query: {} };

  await assert.rejects(createPredictPipeline().predict(request, runner), { status: 400 });
});
