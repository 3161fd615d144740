import { BadRequestError, NotFoundError } from '../core/errors';
import { mediaType, type HttpRequest } from '../core/http/HttpTypes';
import { decimalLength, HEADER_LENGTH } from '../core/protocol/binaryTensor';
import { clip } from '../core/protocol/names';

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
    const size = jsonHeaderSize(req.headers['content-type'] ?? '');
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

/**
 * The media type's `json-header-size`, by the same rule as Inference-Header-Content-Length:
 * plain decimal digits (a quoted-string value unquoted first, RFC 9110 5.6.6), given once. A
 * second value is refused rather than picked: a proxy in front may have read the other one.
 */
function jsonHeaderSize(contentType: string): string {
  const values = mediaTypeParameters(contentType)
    .filter(([name]) => name === 'json-header-size')
    .map(([, value]) => value);
  if (values.length === 0) throw new BadRequestError(`${SAGEMAKER_BINARY_TYPE} needs a json-header-size parameter`);
  if (values.length > 1) throw new BadRequestError(`json-header-size is given more than once (${values.length} times): give it once`);
  const value = values[0] as string;
  if (decimalLength(value) === undefined) throw new BadRequestError(`json-header-size is '${clip(value)}', expected decimal digits`);
  return value;
}

/** A Content-Type's parameters in order, names lower-cased (they are case-insensitive), values unquoted. */
function mediaTypeParameters(contentType: string): Array<[string, string]> {
  return contentType
    .split(';')
    .slice(1)
    .map((part) => {
      const eq = part.indexOf('=');
      const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
      const value = eq < 0 ? '' : part.slice(eq + 1).trim();
      const quoted = /^"((?:[^"\\]|\\.)*)"$/s.exec(value);
      return [name, quoted ? (quoted[1] as string).replace(/\\(.)/gs, '$1') : value];
    });
}

/** SageMaker's multi-model header: which model an `/invocations` request is for. */
export const TARGET_MODEL_HEADER = 'x-amzn-sagemaker-target-model';

/**
 * The model `X-Amzn-SageMaker-Target-Model` names, else undefined (the default model then).
 * SageMaker passes InvokeEndpoint's TargetModel in this header
 * (https://docs.aws.amazon.com/sagemaker/latest/dg/mms-container-apis.html), the artifact's path
 * relative to the endpoint's model prefix, such as `customer-42.tar.gz`; Triton's SageMaker mode
 * routes `/invocations` by it, and so does serve: the model is the name without `.tar.gz`.
 */
export function targetModelOf(headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  const raw = headers[TARGET_MODEL_HEADER];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (value === undefined || value === '') return undefined;
  return value.replace(/\.tar\.gz$/, '');
}
