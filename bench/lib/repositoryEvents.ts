import { httpApiEvent } from '../../test/support/httpApiEvent';

/** POST /v2/models/{model}/infer of x = [0, 1, 2], as API Gateway hands it to the function (the add-constant models of test/support/repositoryModels.ts). */
export function inferEventOf(model: string) {
  return httpApiEvent('POST', `/v2/models/${model}/infer`, {
    body: JSON.stringify({ inputs: [{ name: 'x', shape: [3], datatype: 'FP32', data: [0, 1, 2] }] }),
  });
}
