import { Tensor } from 'onnxruntime-node';
import { BadRequestError, type ModelRunner, type Pipeline, type PredictRequest } from 'onnxless/pipeline';
import { assertAcceptedMediaType, JSON_MEDIA_TYPE, parseJsonBody } from 'onnxless/processing';
import { z } from 'zod';

/**
 * The domain route of models/example (POST /models/example-predict/predict): `{"x": [[...], ...]}`
 * in, one row of numbers per sample; `{"y": [[...], ...]}` out, the model's outputs per sample.
 * Pre-process (parse, check against the model's input), run, post-process (tensor -> rows): the
 * shape of every pipeline. Errors that name what to change go back to the caller as 400s.
 */

const bodySchema = z.strictObject({
  x: z.array(z.array(z.number()).min(1)).min(1),
});

export interface PredictResult {
  /** One row of outputs per row of x. */
  y: number[][];
}

export function createPredictPipeline(): Pipeline<PredictResult> {
  return {
    accepts: [JSON_MEDIA_TYPE],
    description: 'Rows of numbers in ({"x": [[1, 2, 3, 4]]}); the model output per row out ({"y": [[10, 2.5]]}).',
    // From the schema that parses the body: the OpenAPI document and the playground cannot drift from it.
    requestSchema: z.toJSONSchema(bodySchema),
    resultSchema: {
      type: 'object',
      required: ['y'],
      properties: { y: { type: 'array', items: { type: 'array', items: { type: 'number' } } } },
    },
    async predict(request: PredictRequest, runner: ModelRunner): Promise<PredictResult> {
      assertAcceptedMediaType(request.contentType, [JSON_MEDIA_TYPE]);
      const { x } = parseJsonBody(request.body, bodySchema);
      // The model's first input and output: models/example has `x` [batch, 4] and `y` [batch, 2].
      const [input] = runner.inputs;
      const [output] = runner.outputs;
      if (!input || !output) throw new Error('the model has no input or no output');
      const width = featureWidth(input.shape) ?? x[0]?.length ?? 0;
      x.forEach((row, i) => {
        if (row.length !== width) throw new BadRequestError(`x[${i}]: expected ${width} numbers, got ${row.length}`);
      });
      const feeds = { [input.name]: new Tensor('float32', Float32Array.from(x.flat()), [x.length, width]) };
      const results = await runner.run(feeds, [output.name]);
      const values = Array.from(results[output.name]?.data as Float32Array);
      const columns = values.length / x.length;
      return { y: x.map((_, i) => values.slice(i * columns, (i + 1) * columns)) };
    },
  };
}

/** Numbers per row where the model fixes them ([batch, 4] -> 4); undefined where it leaves them free. */
function featureWidth(shape: ReadonlyArray<number | string>): number | undefined {
  const dim = shape[1];
  return typeof dim === 'number' && dim > 0 ? dim : undefined;
}
