import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStackProcess } from '../support/localStackProcess';
import { tempDir } from '../support/testHandler';

/**
 * Issue 27, items 8 and 5 on `npm start` itself, over real HTTP: the emulator grants CORS to its
 * own origin alone (it answered any Origin with itself and credentials), its S3 server refuses the
 * unsigned form POST any web page can send (it stored it), and its routes match whole paths.
 */
const dir = tempDir('onnxless-origins-');
let stack: LocalStackProcess;

beforeAll(async () => {
  stack = await LocalStackProcess.create(join(dir, 'local'));
  await stack.start();
}, 300_000);

afterAll(async () => {
  const code = await stack?.stop();
  stack?.dispose();
  expect(code).toBe(0);
}, 60_000);

const url = (path: string) => `${stack.baseUrl}${path}`;
const grant = (res: Response) => [res.headers.get('access-control-allow-origin'), res.headers.get('access-control-allow-credentials')];

describe('npm start and other origins', () => {
  it('grants no CORS to a page of another origin, on an answer or a preflight', async () => {
    const evil = { origin: 'http://evil.example' };
    const read = await fetch(url('/v2/models/tiny'), { headers: evil });
    expect(read.status).toBe(200);
    expect(grant(read)).toEqual([null, null]);
    const preflight = await fetch(url('/v2/models/tiny/infer'), {
      method: 'OPTIONS',
      headers: { ...evil, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(grant(preflight)).toEqual([null, null]);
  });

  it("grants CORS to the stack's own origin", async () => {
    const own = `http://localhost:${stack.env.ONNXLESS_LOCAL_HTTP_PORT}`;
    expect(grant(await fetch(url('/v2/models/tiny'), { headers: { origin: own } }))).toEqual([own, 'true']);
  });

  it('stores nothing a web page posts to its S3 server', async () => {
    const s3 = `http://127.0.0.1:${stack.env.ONNXLESS_LOCAL_S3_PORT}`;
    const form = new FormData();
    form.append('key', 'tiny/1/manifest.json');
    form.append('file', new Blob(['{"files":[]}']), 'manifest.json');
    const res = await fetch(`${s3}/onnxless-models-dev`, { method: 'POST', body: form, headers: { origin: 'http://evil.example' } });
    expect(res.status).toBe(403);
    // The seeded model still loads: its manifest was not replaced.
    expect((await fetch(url('/v2/models/tiny/ready'))).status).toBe(200);
  });

  it('matches whole paths: a page file path is never the OpenAPI document', async () => {
    const res = await fetch(url('/web/openapi.json'));
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(/^no page file 'openapi\.json'/);
    // The pages themselves, behind $default where the registry keeps them private, still open here.
    expect((await fetch(url('/docs'))).status).toBe(200);
  });
});
