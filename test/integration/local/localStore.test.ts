import { request } from 'node:http';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import aws4 from 'aws4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStore } from '../../../lib/tools/local/LocalStore';
import { localStackSettings } from '../../../lib/tools/local/localStack';
import { freePort } from '../../support/localStackProcess';
import { tempDir } from '../../support/testHandler';

/**
 * Issue 27, item 8: the local stack's S3 server took any unsigned request, so a web page the
 * developer visits could write their models with a plain HTML form POST, a request a browser
 * sends cross-site without asking. Over real HTTP against the real s3rver: the stack's own SDK
 * client writes as before; what a page can send is refused and writes nothing.
 */
const BUCKET = 'models-local';
let store: LocalStore;
let endpoint: string;
const settings = localStackSettings({ ONNXLESS_LOCAL_DIR: tempDir(), ONNXLESS_LOCAL_S3_PORT: String(await freePort()) });

beforeAll(async () => {
  store = new LocalStore(settings);
  endpoint = await store.start();
  await store.ensureBucket(BUCKET);
});
afterAll(async () => store?.stop());

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One raw request, as a browser or a script would send it. */
function send(method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${endpoint}${path}`, { method, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** What `<form method="post" enctype="multipart/form-data" action="http://127.0.0.1:4569/bucket">` sends. */
function formPost(key: string, extra: Record<string, string> = {}, query = ''): Promise<Answer> {
  const boundary = '----WebKitFormBoundaryx7Kq3Jq9';
  const part = (name: string, value: string, file = false) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${file ? '; filename="model.onnx"' : ''}\r\n` +
    `${file ? 'Content-Type: application/octet-stream\r\n' : ''}\r\n${value}\r\n`;
  const body =
    part('key', key) +
    Object.entries(extra)
      .map(([k, v]) => part(k, v))
      .join('') +
    part('file', 'attacker weights', true);
  return send(
    'POST',
    `/${BUCKET}${query}`,
    { 'content-type': `multipart/form-data; boundary=${boundary}`, origin: 'http://evil.example', referer: 'http://evil.example/' },
    `${body}--${boundary}--\r\n`,
  );
}

const exists = (key: string) =>
  store.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).then(
    () => true,
    () => false,
  );

describe("the local stack's S3 server", () => {
  it('takes every write of its own SigV4-signed clients: objects, multipart uploads, batch deletes', async () => {
    await store.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'tiny/1/model.onnx', Body: Buffer.from('weights') }));
    const got = await store.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'tiny/1/model.onnx' }));
    expect(await got.Body?.transformToString()).toBe('weights');

    const { UploadId } = await store.client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'big/1/model.onnx' }));
    const part = await store.client.send(
      new UploadPartCommand({ Bucket: BUCKET, Key: 'big/1/model.onnx', UploadId, PartNumber: 1, Body: Buffer.alloc(1024, 7) }),
    );
    await store.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'big/1/model.onnx',
        UploadId,
        MultipartUpload: { Parts: [{ ETag: part.ETag, PartNumber: 1 }] },
      }),
    );
    expect(await exists('big/1/model.onnx')).toBe(true);
    await store.client.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'big/1/model.onnx' }] } }));
    expect(await exists('big/1/model.onnx')).toBe(false);
  });

  it('refuses the HTML form POST a web page can send cross-site, and writes nothing', async () => {
    const res = await formPost('tiny/1/model.onnx.evil');
    expect([res.status, /<Code>AccessDenied<\/Code>/.test(res.body)]).toEqual([403, true]);
    expect(await exists('tiny/1/model.onnx.evil')).toBe(false);
  });

  it('refuses a form POST to a URL signed in its query string with the public local keys', async () => {
    const { path } = aws4.sign(
      { service: 's3', region: settings.region, method: 'POST', host: new URL(endpoint).host, path: `/${BUCKET}`, signQuery: true },
      { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    );
    const res = await formPost('presigned.onnx', {}, (path as string).slice(`/${BUCKET}`.length));
    expect(res.status).toBe(403);
    expect(await exists('presigned.onnx')).toBe(false);
  });

  it('refuses unsigned and wrongly signed PUTs and DELETEs', async () => {
    expect((await send('PUT', `/${BUCKET}/unsigned.onnx`, { 'content-type': 'text/plain' }, 'x')).status).toBe(403);
    const forged = {
      authorization: `AWS4-HMAC-SHA256 Credential=${settings.accessKeyId}/20261206/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=${'0'.repeat(64)}`,
      'x-amz-date': '20261206T000000Z',
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
    };
    expect((await send('PUT', `/${BUCKET}/forged.onnx`, forged, 'x')).status).toBe(403);
    expect((await send('DELETE', `/${BUCKET}/tiny/1/model.onnx`)).status).toBe(403);
    expect([await exists('unsigned.onnx'), await exists('forged.onnx'), await exists('tiny/1/model.onnx')]).toEqual([false, false, true]);
  });

  it('grants no web page a CORS preflight', async () => {
    const res = await send('OPTIONS', `/${BUCKET}/tiny/1/model.onnx`, {
      origin: 'http://evil.example',
      'access-control-request-method': 'PUT',
    });
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
