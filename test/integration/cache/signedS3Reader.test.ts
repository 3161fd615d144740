import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WeightsCache } from '../../../lib/core/cache/WeightsCache';
import { signedReaderFromEnv } from '../../../lib/core/sources/defaultS3Reader';
import { SourceAccessDeniedError, SourceNotFoundError } from '../../../lib/core/sources/ModelSource';
import { S3ModelSource } from '../../../lib/core/sources/S3ModelSource';
import { encodeKey, SignedS3Reader } from '../../../lib/core/sources/SignedS3Reader';
import { startLocalS3, TEST_CREDENTIALS, type LocalS3 } from '../../support/localS3';
import { tempDir } from '../../support/testHandler';

/**
 * The signed GET the Lambda handlers use: its bytes, ranges, errors and faults against s3rver
 * through the counting, fault-injecting proxy. s3rver does not check V4 signatures, so the
 * signatures are checked against the AWS SDK's own signer, configured as the SDK's S3 client
 * configures it, on the requests exactly as they arrive at a server.
 */
const BUCKET = 'models';
const BODY = randomBytes(300 * 1024);
/** A key with what SigV4's UriEncode must escape: spaces, +, !, (), *, ', non-ASCII. */
const ODD_KEY = "odd dir/a+b!(c)*'d é 模型.onnx";

let s3: LocalS3;
/**
 * Timeouts generous enough that a loaded machine never trips them (an idle body destroyed and
 * fetched again would add a request to the counts these tests assert); the stall test asks for
 * a short idle timeout of its own.
 */
const reader = (idleMs = 5000) =>
  new SignedS3Reader({
    region: 'us-east-1',
    endpoint: s3.endpoint,
    credentials: () => ({ ...TEST_CREDENTIALS }),
    timeouts: { connectMs: 5000, idleMs },
  });

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
  await s3.put(BUCKET, 'm/model.onnx', BODY);
  await s3.put(BUCKET, ODD_KEY, BODY.subarray(0, 1000));
});
afterAll(async () => s3?.close());
beforeEach(() => s3.proxy.reset());

describe('SignedS3Reader against an S3 server', () => {
  it('GETs a whole object, a byte range of it, and HEADs it', async () => {
    const whole = await reader().get(BUCKET, 'm/model.onnx');
    expect(whole.length).toBe(BODY.length);
    expect((await bytesOf(whole.stream)).equals(BODY)).toBe(true);

    const part = await reader().get(BUCKET, 'm/model.onnx', { start: 1000, end: 1999 });
    expect(part.length).toBe(1000);
    expect(part.contentRange).toBe(`bytes 1000-1999/${BODY.length}`);
    expect((await bytesOf(part.stream)).equals(BODY.subarray(1000, 2000))).toBe(true);

    const head = await reader().head(BUCKET, 'm/model.onnx');
    expect(head).toEqual({ size: BODY.length, etag: whole.etag });
    expect(s3.proxy.requests.map((r) => [r.method, r.status])).toEqual([
      ['GET', 200],
      ['GET', 206],
      ['HEAD', 200],
    ]);
  });

  it('signs keys with characters SigV4 must escape, as S3 reads them', async () => {
    const got = await reader().get(BUCKET, ODD_KEY);
    expect((await bytesOf(got.stream)).equals(BODY.subarray(0, 1000))).toBe(true);
    expect(encodeKey("a b/+!(x)*'é")).toBe('a%20b/%2B%21%28x%29%2A%27%C3%A9');
  });

  it('turns a missing object into not-found, on GET and on HEAD', async () => {
    const source = new S3ModelSource(BUCKET, 'absent/model.onnx', reader());
    await expect(source.open()).rejects.toBeInstanceOf(SourceNotFoundError);
    await expect(source.stat()).rejects.toBeInstanceOf(SourceNotFoundError);
  });

  it('tries a 5xx again, as the SDK does, and past its 3 attempts gives S3 status and code as the SDK errors do', async () => {
    s3.proxy.inject({ type: 'status', status: 503, code: 'SlowDown' }, 2);
    const got = await reader().get(BUCKET, 'm/model.onnx', { start: 0, end: 9 });
    expect((await bytesOf(got.stream)).equals(BODY.subarray(0, 10))).toBe(true);
    expect(s3.proxy.requests.map((r) => r.status)).toEqual([503, 503, 206]);

    s3.proxy.reset();
    s3.proxy.inject({ type: 'status', status: 503, code: 'SlowDown' }, 10);
    const err = (await reader()
      .get(BUCKET, 'm/model.onnx')
      .catch((e: unknown) => e)) as Error & { $metadata: { httpStatusCode: number } };
    expect(err.name).toBe('SlowDown');
    expect(err.$metadata.httpStatusCode).toBe(503);
    expect(s3.proxy.requests).toHaveLength(3);
  });

  it('does not try a 4xx again: the answer will not change', async () => {
    await expect(reader().get(BUCKET, 'absent/model.onnx')).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    expect(s3.proxy.requests).toHaveLength(1);
  });

  it('destroys a body that stalls longer than the idle timeout instead of hanging', async () => {
    s3.proxy.inject({ type: 'stall', afterBytes: 64 * 1024, ms: 5000 });
    const got = await reader(400).get(BUCKET, 'm/model.onnx');
    await expect(bytesOf(got.stream)).rejects.toThrow();
  });

  it('stops a request when its signal aborts', async () => {
    s3.proxy.inject({ type: 'latency', ms: 2000 });
    const controller = new AbortController();
    const pending = reader().get(BUCKET, 'm/model.onnx', undefined, controller.signal);
    setTimeout(() => controller.abort(new Error('deadline')), 50);
    await expect(pending).rejects.toThrow();
  });

  it('downloads a model through the cache with cut connections resumed, every byte verified', async () => {
    s3.proxy.inject({ type: 'reset', afterBytes: 20_000 }, 2);
    const cache = new WeightsCache({
      dir: tempDir('onnxless-signed-'),
      partBytes: 64 * 1024,
      concurrency: 3,
      parallelThresholdBytes: 128 * 1024,
      backoffMs: 1,
    });
    const sha256 = createHash('sha256').update(BODY).digest('hex');

    const weights = await cache.fetch(new S3ModelSource(BUCKET, 'm/model.onnx', reader()), sha256);

    expect(readFileSync(weights.path).equals(BODY)).toBe(true);
    expect(s3.proxy.requests.filter((r) => r.fault === 'reset')).toHaveLength(2);
  });
});

describe('choosing the signed reader from the environment', () => {
  const creds = { AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 'secret' };
  it('is used where the environment holds the credentials, as Lambda sets them', () => {
    expect(signedReaderFromEnv({ ...creds, AWS_REGION: 'eu-west-1' })).toBeInstanceOf(SignedS3Reader);
  });
  it('is not used without them, nor for what only the SDK does', () => {
    expect(signedReaderFromEnv({ AWS_PROFILE: 'dev' })).toBeUndefined();
    expect(signedReaderFromEnv({ ...creds, AWS_USE_FIPS_ENDPOINT: 'true' })).toBeUndefined();
    expect(signedReaderFromEnv({ ...creds, AWS_USE_DUALSTACK_ENDPOINT: 'true' })).toBeUndefined();
    expect(signedReaderFromEnv({ ...creds, ONNXLESS_S3_CLIENT: 'sdk' })).toBeUndefined();
  });
});

describe('signatures, checked against the AWS SDK signer', () => {
  /** A server that answers 200 when the request's signature is the one the SDK's signer computes for it, 403 when not. */
  async function signatureChecker(secret: string): Promise<{ endpoint: string; seen: string[]; close: () => Promise<void> }> {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      void (async () => {
        const auth = req.headers.authorization ?? '';
        const signed = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(';') ?? [];
        const headers = Object.fromEntries(signed.map((h) => [h, String(req.headers[h])]));
        const date = req.headers['x-amz-date'] as string;
        const signingDate = new Date(
          `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 11)}:${date.slice(11, 13)}:${date.slice(13)}`,
        );
        const sdk = new SignatureV4({
          service: 's3',
          region: 'us-east-1',
          uriEscapePath: false,
          sha256: NodeSha256,
          credentials: {
            accessKeyId: TEST_CREDENTIALS.accessKeyId,
            secretAccessKey: secret,
            sessionToken: req.headers['x-amz-security-token'] as string | undefined,
          },
        });
        const [path] = (req.url ?? '/').split('?');
        const expected = await sdk.sign(
          { method: req.method ?? 'GET', protocol: 'http:', hostname: '127.0.0.1', path: path ?? '/', query: {}, headers },
          { signingDate },
        );
        const ok = expected.headers.authorization === auth;
        seen.push(`${req.method} ${path} ${ok ? 'ok' : 'MISMATCH'}`);
        res.writeHead(ok ? 200 : 403, { 'content-length': ok ? '2' : '0', etag: '"e"' }).end(ok ? 'ok' : undefined);
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      seen,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }

  it('signs GETs, ranges, HEADs, odd keys and session tokens exactly as the SDK would', async () => {
    const checker = await signatureChecker(TEST_CREDENTIALS.secretAccessKey);
    try {
      const signedBy = (sessionToken?: string) =>
        new SignedS3Reader({ region: 'us-east-1', endpoint: checker.endpoint, credentials: () => ({ ...TEST_CREDENTIALS, sessionToken }) });
      await (await signedBy().get(BUCKET, 'm/model.onnx')).stream.resume();
      await (await signedBy().get(BUCKET, 'm/model.onnx', { start: 5, end: 99 })).stream.resume();
      await signedBy().head(BUCKET, ODD_KEY);
      await (await signedBy('a-session-token').get(BUCKET, ODD_KEY)).stream.resume();
      expect(checker.seen).toEqual([
        `GET /${BUCKET}/m/model.onnx ok`,
        `GET /${BUCKET}/m/model.onnx ok`,
        `HEAD /${BUCKET}/${encodeKey(ODD_KEY)} ok`,
        `GET /${BUCKET}/${encodeKey(ODD_KEY)} ok`,
      ]);
    } finally {
      await checker.close();
    }
  });

  it('is told apart from a wrong signature: the check can fail', async () => {
    const checker = await signatureChecker('another-secret');
    try {
      const err = await new S3ModelSource(
        BUCKET,
        'm/model.onnx',
        new SignedS3Reader({ region: 'us-east-1', endpoint: checker.endpoint, credentials: () => ({ ...TEST_CREDENTIALS }) }),
      )
        .open()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SourceAccessDeniedError);
      expect(checker.seen).toEqual([`GET /${BUCKET}/m/model.onnx MISMATCH`]);
    } finally {
      await checker.close();
    }
  });
});

/** The SDK signer's hash interface over node:crypto (what @smithy/hash-node does). */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  return data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

describe('addressing objects on AWS', () => {
  /** The URL a request would go to, captured from the signed request's Host header and path. */
  function urlOf(region: string, bucket: string, key: string): string {
    const reader = new SignedS3Reader({ region, credentials: () => ({ ...TEST_CREDENTIALS }) }) as unknown as {
      urlOf(b: string, k: string): URL;
    };
    return reader.urlOf(bucket, key).href;
  }
  it('uses the regional virtual-hosted endpoint, path style where the bucket is not one DNS label', () => {
    expect(urlOf('eu-west-1', 'models', 'm/1/model.onnx')).toBe('https://models.s3.eu-west-1.amazonaws.com/m/1/model.onnx');
    expect(urlOf('eu-west-1', 'my.models', 'a b')).toBe('https://s3.eu-west-1.amazonaws.com/my.models/a%20b');
    expect(urlOf('us-east-1', 'Legacy_Bucket', 'k')).toBe('https://s3.us-east-1.amazonaws.com/Legacy_Bucket/k');
    expect(urlOf('cn-north-1', 'models', 'k')).toBe('https://models.s3.cn-north-1.amazonaws.com.cn/k');
  });
});
