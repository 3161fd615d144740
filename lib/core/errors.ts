/**
 * The base of every error onnxless defines: its `name` is its class's, set here once instead of
 * by hand in each class. `errorType` in logs and metrics reads it; the bundles keep class names
 * (esbuild's keepNames, on in this package's build, in the scaffold's and the examples'
 * serverless.yml and in the container image build).
 */
export class NamedError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Every error the request path raises carries its HTTP status. 4xx messages are safe to show
 * the caller; 5xx messages are shown only when `expose` is set (they name the model and key,
 * never credentials), otherwise replaced by a generic message and logged with their cause.
 */
export class OnnxlessError extends NamedError {
  readonly status: number;
  readonly expose: boolean;
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, options: { cause?: unknown; expose?: boolean; headers?: Record<string, string> } = {}) {
    super(message, { cause: options.cause });
    this.status = status;
    this.expose = options.expose ?? status < 500;
    this.headers = options.headers ?? {};
  }
}

/** 400: the request is malformed or does not fit the model. */
export class BadRequestError extends OnnxlessError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(400, message, options);
  }
}

/**
 * 401: the server takes API keys and the request carries none, or not a valid one. The
 * `WWW-Authenticate` challenge names the scheme (RFC 9110 11.6.1; Bearer, RFC 6750 3).
 */
export class UnauthorizedError extends OnnxlessError {
  constructor(message: string, options: { invalidKey?: boolean } = {}) {
    super(401, message, {
      headers: { 'www-authenticate': `Bearer realm="onnxless"${options.invalidKey ? ', error="invalid_token"' : ''}` },
    });
  }
}

/** 404: unknown model or route. */
export class NotFoundError extends OnnxlessError {
  constructor(message: string) {
    super(404, message);
  }
}

/** 405: the route exists but not for this method. */
export class MethodNotAllowedError extends OnnxlessError {
  constructor(method: string, path: string, allowed: readonly string[]) {
    super(405, `method ${method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`, {
      headers: { allow: allowed.join(', ') },
    });
  }
}

/** 413: the body or a tensor is over its configured limit. */
export class PayloadTooLargeError extends OnnxlessError {
  constructor(message: string) {
    super(413, message);
  }
}

/** 415: a content type the route does not accept. */
export class UnsupportedMediaTypeError extends OnnxlessError {
  constructor(got: string, accepted: readonly string[]) {
    super(415, `unsupported content type '${got || '(none)'}'; accepted: ${accepted.join(', ')}`);
  }
}

/**
 * 503: the model cannot be served right now (weights missing, access denied, integrity
 * failure, S3 unreachable). Exposed because operators need the model and key in the message.
 */
export class ModelUnavailableError extends OnnxlessError {
  readonly model: string;
  /**
   * This answer repeats a load failure whose backoff still runs: nothing was tried, and the
   * failure was logged when it happened (the request is logged as a warning, not an error).
   */
  readonly repeated: boolean;
  constructor(model: string, message: string, options: { cause?: unknown; retryAfterSeconds?: number; repeated?: boolean } = {}) {
    super(503, message, {
      cause: options.cause,
      expose: true,
      headers: options.retryAfterSeconds === undefined ? {} : { 'retry-after': String(options.retryAfterSeconds) },
    });
    this.model = model;
    this.repeated = options.repeated ?? false;
  }
}

/** Integrity failure of downloaded or cached weights (size or sha256). Never cached, never loaded. */
export class IntegrityError extends NamedError {}

/**
 * Error -> status and public message, the one place that decides what a caller may see.
 * An exposed 5xx says what failed in words; where its message names storage or files
 * (`s3://bucket/key`, a sha256, an absolute path, an onnxruntime source location or graph node),
 * those are replaced here: the full message stays in the request's log record.
 */
export function toPublicError(err: unknown): { status: number; message: string; headers: Record<string, string> } {
  if (err instanceof OnnxlessError) {
    const message = !err.expose ? 'internal error' : err.status >= 500 ? redactInternals(err.message) : err.message;
    return { status: err.status, message, headers: err.headers };
  }
  return { status: 500, message: 'internal error', headers: {} };
}

/**
 * The error a caller may be handed as a thrown value (a direct Lambda invoke, whose runtime sends
 * the name, message and stack to the SDK caller): the same name and status, the public message,
 * and a stack of that one line, since frames name the task root's paths.
 */
export function publicErrorOf(err: unknown): OnnxlessError {
  const { status, message, headers } = toPublicError(err);
  const out = new OnnxlessError(status, message, { expose: true, headers });
  out.name = err instanceof OnnxlessError ? err.name : 'InternalError';
  out.stack = `${out.name}: ${message}`;
  return out;
}

const REDACTED = '(see the log)';
const INTERNALS: readonly RegExp[] = [
  /s3:\/\/[^\s'",)]+/g, // a weights URI: bucket and key
  /\b[0-9a-f]{64}\b/gi, // sha256 pins and digests
  /\b(?:bucket|key)\s+'[^']*'/gi, // "bucket 'x'", "key 'y'"
  /\bnode\s+'[^']*'|Name:\s*'[^']*'|\bNode,?\s*\([^)]*\)/gi, // onnxruntime graph node names: node 'x', Name:'x', In Node, ("x", Op, ...)
];
// Absolute paths keep their last part: the file a message is about (`libonnxruntime_providers_cuda.so`
// is missing) helps; where it sits (the task root, the cache layout) does not.
const ABSOLUTE_PATH = /(?:[A-Za-z]:)?(?:\/[\w.@+-]+)*\/([\w.@+-]+(?::\d+)?)/g;

/** Strips storage locations, hashes, directories and node names from a message meant for a caller. */
export function redactInternals(message: string): string {
  const redacted = INTERNALS.reduce((text, pattern) => text.replace(pattern, REDACTED), message);
  return redacted.replace(ABSOLUTE_PATH, (path: string, last: string) => (path.split('/').length > 2 ? last : path));
}
