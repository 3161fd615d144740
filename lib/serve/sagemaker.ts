import { BadRequestError, NotFoundError } from '../core/errors';
import { mediaType, type HttpRequest } from '../core/http/HttpTypes';
import { HEADER_LENGTH } from '../core/protocol/binaryTensor';

/** Triton's SageMaker content type for binary tensors: the JSON header size rides in the media type. */
export const SAGEMAKER_BINARY_TYPE = 'application/vnd.sagemaker-triton.binary+json';

/**
 * `POST /invocations` (the SageMaker container contract) -> the default model's OIP route:
 * a JSON or binary-tensor body goes to `/v2/models/{m}/infer`; any other media type goes to
 * the model's domain route when it has one (an image to an image model), else to infer,
 * which answers 415 naming the accepted types.
 */
export function invocationRequest(
  req: HttpRequest,
  model: string | undefined,
  hasPipeline: (model: string) => boolean,
  served: readonly string[],
): HttpRequest {
  if (model === undefined) {
    throw new NotFoundError(
      `/invocations needs a default model: this server has ${served.length} (${served.join(', ')}); start the server with --default-model <name> (or defaultModel in a --config file)`,
    );
  }
  const type = mediaType(req.headers);
  const target = encodeURIComponent(model);
  if (type === SAGEMAKER_BINARY_TYPE) {
    const size = /json-header-size=(\d+)/i.exec(req.headers['content-type'] ?? '')?.[1];
    if (size === undefined) throw new BadRequestError(`${SAGEMAKER_BINARY_TYPE} needs a json-header-size parameter`);
    return {
      ...req,
      path: `/v2/models/${target}/infer`,
      headers: { ...req.headers, 'content-type': 'application/octet-stream', [HEADER_LENGTH]: size },
    };
  }
  const inferLike = type === '' || type === 'application/json' || type.endsWith('+json') || req.headers[HEADER_LENGTH] !== undefined;
  if (!inferLike && hasPipeline(model)) return { ...req, path: `/models/${target}/predict` };
  return { ...req, path: `/v2/models/${target}/infer` };
}
