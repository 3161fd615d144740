// zod/mini: the same validator, tree-shakable. The request path bundles a tenth of what zod's
// classic API would add, which every cold start would parse (docs/benchmarks.md, "Figures behind the code"; named
// imports: the `z` namespace object would keep every locale).
import { array, minLength, number, object, optional, record, string, unknown, type infer as Infer } from 'zod/mini';
import { describeZodIssue, dottedPath } from '../config/zodIssues';
import { BadRequestError } from '../errors';
import { withClassCount } from './classification';
import { checkNameLength } from './names';
import { checkRequestParameters } from './requestParameters';

/**
 * The OIP v2 infer request envelope. `data` is left as `unknown` here on purpose: a tensor may
 * hold millions of elements, and it is checked element by element once, by the decoder,
 * against the declared shape and datatype (zod would walk it a second time).
 */
const parameters = record(string(), unknown());

export const inferInputSchema = object({
  name: string().check(minLength(1)),
  shape: array(number()),
  datatype: string(),
  parameters: optional(parameters),
  data: optional(unknown()),
});

export const requestedOutputSchema = object({
  name: string().check(minLength(1)),
  parameters: optional(parameters),
});

export const inferRequestSchema = object({
  id: optional(string()),
  parameters: optional(parameters),
  inputs: array(inferInputSchema).check(minLength(1)),
  outputs: optional(array(requestedOutputSchema)),
});

export type InferInput = Infer<typeof inferInputSchema>;
export type RequestedOutput = Infer<typeof requestedOutputSchema>;
export type InferRequest = Infer<typeof inferRequestSchema>;

export function parseInferRequest(value: unknown): InferRequest {
  const result = inferRequestSchema.safeParse(value);
  if (result.success) {
    checkEchoedNames(result.data);
    refuseSharedMemory(result.data);
    checkRequestParameters(result.data);
    return withTritonNames(result.data);
  }
  const issue = result.error.issues[0];
  const problem = issue ? describeZodIssue(issue, { place: (path) => dottedPath(path) || 'request' }) : 'request: malformed';
  throw new BadRequestError(`invalid infer request: ${problem}`);
}

/** `id` and tensor names come back in answers and messages: each is bounded (MAX_NAME_LENGTH). */
function checkEchoedNames(request: InferRequest): void {
  if (request.id !== undefined) checkNameLength('request id', request.id);
  for (const input of request.inputs) checkNameLength('input name', input.name);
  for (const output of request.outputs ?? []) checkNameLength('output name', output.name);
}

/**
 * Triton's shared-memory extension (`shared_memory_region` on an input or a requested output,
 * what tritonclient's `set_shared_memory` sends) is not served: answering the data in the body
 * instead would leave the client reading a region nobody wrote. A 400 says so.
 */
function refuseSharedMemory(request: InferRequest): void {
  const tensors = [...request.inputs.map((t) => ['input', t] as const), ...(request.outputs ?? []).map((t) => ['output', t] as const)];
  for (const [kind, tensor] of tensors) {
    if (tensor.parameters !== undefined && Object.hasOwn(tensor.parameters, 'shared_memory_region')) {
      throw new BadRequestError(
        `${kind} '${tensor.name}': shared_memory_region asks for Triton's shared-memory extension, which this server does not have (GET /v2 lists its extensions); send the data in the body`,
      );
    }
  }
}

/** Triton's parameter names where onnxless has its own: each requested output's `classification`. */
function withTritonNames(request: InferRequest): InferRequest {
  if (!request.outputs?.some((o) => o.parameters !== undefined && Object.hasOwn(o.parameters, 'classification'))) return request;
  return {
    ...request,
    outputs: request.outputs.map((o) => (o.parameters === undefined ? o : { ...o, parameters: withClassCount(o.name, o.parameters) })),
  };
}
