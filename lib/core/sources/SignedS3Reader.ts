import aws4 from 'aws4';
import { version } from '../../../package.json';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { retrying } from './retrying';
import { S3RequestError, type S3Get, type S3Head, type S3Reader } from './S3Reader';
import { S3_TIMEOUTS, type S3Timeouts } from './s3Timeouts';

export interface EnvCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignedS3ReaderOptions {
  region: string;
  /** An S3-compatible server (`AWS_ENDPOINT_URL_S3`): addressed path-style. */
  endpoint?: string;
  /** Read on every request: the environment is the source of truth. */
  credentials: () => EnvCredentials;
  timeouts?: S3Timeouts;
}

/**
 * GetObject and HeadObject as two SigV4-signed HTTP requests, the signature from `aws4` (no
 * dependencies) and the transport node's own. Written by hand because the AWS SDK's S3 client
 * a large bundle whose compile and evaluation weighed on every cold start (docs/benchmarks.md, "Figures behind the code"), before
 * the first byte could be asked for; these two calls are all a model load makes. Used where the
 * environment holds the credentials, as Lambda's always does: the runtime sets
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN from the execution role
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
 * Retries are the download's own (lib/core/cache/download.ts: per part, resumed from the last byte).
 */
export class SignedS3Reader implements S3Reader {
  private readonly endpoint?: URL;

  constructor(private readonly options: SignedS3ReaderOptions) {
    this.endpoint = options.endpoint ? new URL(options.endpoint) : undefined;
  }

  async head(bucket: string, key: string): Promise<S3Head> {
    const res = await this.send('HEAD', bucket, key, {});
    res.resume();
    return { size: Number(res.headers['content-length'] ?? 0), etag: header(res, 'etag') };
  }

  async get(bucket: string, key: string, range?: { start: number; end: number }, signal?: AbortSignal): Promise<S3Get> {
    const res = await this.send('GET', bucket, key, range ? { range: `bytes=${range.start}-${range.end}` } : {}, signal);
    return {
      stream: res,
      length: Number(res.headers['content-length'] ?? 0),
      contentRange: res.headers['content-range'],
      etag: header(res, 'etag'),
    };
  }

  /**
   * Throttling, 5xx answers and failed connections are tried again as the SDK's standard retry
   * mode does (3 attempts, exponential backoff with full jitter from 100 ms), before any of the
   * body is read; a body cut later is the download's to resume.
   */
  private async send(
    method: 'GET' | 'HEAD',
    bucket: string,
    key: string,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<IncomingMessage> {
    return retrying(() => this.sendOnce(method, bucket, key, headers, signal), {
      attempts: ATTEMPTS,
      // Full jitter, as the SDK's standard mode.
      delayMs: (attempt) => Math.random() * BACKOFF_BASE_MS * 2 ** attempt,
      retryable: transient,
      signal,
    });
  }

  private async sendOnce(
    method: 'GET' | 'HEAD',
    bucket: string,
    key: string,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<IncomingMessage> {
    const url = this.urlOf(bucket, key);
    const signed = aws4.sign(
      {
        service: 's3',
        region: this.options.region,
        method,
        host: url.hostname,
        port: url.port || undefined,
        path: url.pathname,
        // S3 requires the payload's hash in a header of every SigV4 request: an empty body's
        // (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html).
        headers: { ...headers, 'x-amz-content-sha256': EMPTY_SHA256, 'user-agent': USER_AGENT },
      },
      this.options.credentials(),
    );
    const timeouts = { ...S3_TIMEOUTS, ...this.options.timeouts };
    const { request: send } = transport(url.protocol);
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, { method, headers: signed.headers as OutgoingHttpHeaders, signal, timeout: timeouts.idleMs });
      // No bytes moving for idleMs, before or after the answer began: the socket is destroyed, the
      // body fails, and the download resumes with a ranged GET instead of hanging to the deadline.
      req.on('timeout', () => req.destroy(new Error(`no bytes from ${url.host} for ${timeouts.idleMs} ms`)));
      const connecting = setTimeout(
        () => req.destroy(new Error(`could not connect to ${url.host} in ${timeouts.connectMs} ms`)),
        timeouts.connectMs,
      );
      req.on('socket', (socket) => {
        if (!socket.connecting) clearTimeout(connecting);
        else socket.once('connect', () => clearTimeout(connecting));
      });
      req.on('error', (err) => {
        clearTimeout(connecting);
        reject(err);
      });
      req.on('response', (res) => {
        clearTimeout(connecting);
        const status = res.statusCode ?? 0;
        if (status === 200 || status === 206) resolve(res);
        else errorOf(res, status).then(reject, reject);
      });
      req.end();
    });
  }

  /**
   * Virtual-hosted style on AWS, path style for a bucket name that cannot be a DNS label (dots:
   * TLS wildcards cover one label; legacy names with capitals or underscores) and for an
   * S3-compatible endpoint
   * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html).
   */
  private urlOf(bucket: string, key: string): URL {
    const path = `/${encodeKey(key)}`;
    if (this.endpoint) {
      const base = this.endpoint.pathname.replace(/\/+$/, '');
      return new URL(`${this.endpoint.protocol}//${this.endpoint.host}${base}/${encodeURIComponent(bucket)}${path}`);
    }
    const domain = this.options.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    const host = `s3.${this.options.region}.${domain}`;
    return VIRTUAL_HOSTABLE.test(bucket)
      ? new URL(`https://${bucket}.${host}${path}`)
      : new URL(`https://${host}/${encodeURIComponent(bucket)}${path}`);
  }
}

/**
 * node:https is loaded with the first request, not with the bundle: with TLS it is module load
 * that a start from cached weights (a warm sandbox) never needs. Through
 * process.getBuiltinModule, not import(): a CommonJS bundle keeps import() of a builtin as a real
 * ESM import, whose facade of node:http reads every export and so loads undici (both costs in
 * docs/benchmarks.md, "Figures behind the code").
 */
function transport(protocol: string): typeof import('node:http') {
  return protocol === 'http:'
    ? process.getBuiltinModule('node:http')
    : (process.getBuiltinModule('node:https') as unknown as typeof import('node:http'));
}

const ATTEMPTS = 3;
const BACKOFF_BASE_MS = 100;

function transient(err: unknown): boolean {
  if (err instanceof S3RequestError) return err.$metadata.httpStatusCode >= 500 || err.$metadata.httpStatusCode === 429;
  // A failed connection or socket (reset, refused, timed out): not an abort, not an answer.
  return err instanceof Error && (err as NodeJS.ErrnoException).code !== 'ABORT_ERR' && err.name !== 'AbortError';
}

/** A bucket name that is one DNS label. */
const VIRTUAL_HOSTABLE = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** Says in S3's access logs and CloudTrail which client read the object. */
const USER_AGENT = `onnxless/${version} signed-get`;

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Each segment of the key percent-encoded as SigV4's UriEncode does: all but A-Z a-z 0-9 - . _ ~ . */
export function encodeKey(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

function header(res: IncomingMessage, name: string): string {
  const value = res.headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

/** S3's XML error answer (a HEAD has none: the status alone then). */
async function errorOf(res: IncomingMessage, status: number): Promise<S3RequestError> {
  let text = '';
  res.setEncoding('utf8');
  for await (const chunk of res) {
    if (text.length < 16_384) text += chunk as string;
  }
  const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1];
  const code = field('Code') ?? CODE_OF_STATUS[status] ?? '';
  const message = field('Message') ?? `S3 answered ${status}${code ? ` ${code}` : ''}`;
  return new S3RequestError(status, code, message, header(res, 'x-amz-request-id') || undefined);
}

const CODE_OF_STATUS: Record<number, string> = { 301: 'PermanentRedirect', 403: 'AccessDenied', 404: 'NotFound', 416: 'InvalidRange' };
