import { Tensor } from 'onnxruntime-node';
// zod/mini with named imports: the function bundle parses it on every cold start (zod's full build is ~470 KB).
import { array, minLength, number, toJSONSchema, union } from 'zod/mini';
import { BadRequestError } from '../errors';
import type { ModelRunner, Pipeline, PredictRequest } from '../pipeline/Pipeline';
import { parseJsonBody } from '../processing/input/jsonBody';
import { assertAcceptedMediaType, JSON_MEDIA_TYPE } from '../processing/input/mediaType';
import { firstOutput, inputName } from './modelIo';

const row = array(number());
/** One sample (`[x1, ..., xn]`) or a batch of them (`[[...], [...]]`). */
const bodySchema = union([row, array(row).check(minLength(1))]);

export interface DenseRegressionResult {
  /** One row of outputs per sample; a single sample in gives a single row. */
  output: number[] | number[][];
}

/**
 * The domain route of a dense regression network (the `npx onnxless train` lifecycle):
 * a plain JSON array of numbers in, the network's outputs out.
 */
export function createDenseRegression(): Pipeline<DenseRegressionResult> {
  return {
    accepts: [JSON_MEDIA_TYPE],
    description: 'A plain JSON array of numbers (one sample) or an array of such arrays (a batch) in; the network output per sample out.',
    // From the schema that parses the body: the document and the playground's form cannot drift from it.
    requestSchema: toJSONSchema(bodySchema),
    resultSchema: {
      type: 'object',
      required: ['output'],
      properties: { output: { type: 'array', items: { oneOf: [{ type: 'number' }, { type: 'array', items: { type: 'number' } }] } } },
    },
    async predict(request: PredictRequest, runner: ModelRunner): Promise<DenseRegressionResult> {
      assertAcceptedMediaType(request.contentType, [JSON_MEDIA_TYPE]);
      const body = parseJsonBody(request.body, bodySchema);
      const single = body.length === 0 || typeof body[0] === 'number';
      const rows = (single ? [body] : body) as number[][];
      const width = featureWidth(runner);
      rows.forEach((r, i) => {
        if (width !== undefined && r.length !== width) {
          const where = single ? 'body' : `body[${i}]`;
          throw new BadRequestError(`${where}: expected ${width} numbers, got ${r.length}`);
        }
      });
      const features = new Float32Array(rows.flat());
      const name = inputName(runner, 'input');
      const out = firstOutput(
        runner,
        await runner.run({ [name]: new Tensor('float32', features, [rows.length, features.length / rows.length]) }),
      );
      const cols = out.dims[1] ?? 1;
      const values = Array.from(out.data as Float32Array);
      const outRows = rows.map((_, i) => values.slice(i * cols, (i + 1) * cols));
      return { output: single ? (outRows[0] as number[]) : outRows };
    },
  };
}

function featureWidth(runner: ModelRunner): number | undefined {
  const dim = runner.inputs[0]?.shape[1];
  return typeof dim === 'number' && dim > 0 ? dim : undefined;
}
