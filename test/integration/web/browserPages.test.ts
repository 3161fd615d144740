import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createServerHandler } from '../../../lib/lambda/createServerHandler';
import { Router } from '../../../lib/core/http/routes';
import { NO_SINK } from '../../../lib/core/observability/sinks';
import { PAGE_POLICY } from '../../../lib/core/pages/pageHtml';
import { httpApiEvent, jsonBody, type Result } from '../../support/httpApiEvent';
import { tempDir } from '../../support/testHandler';

/** A server function with an OpenAPI document in its task root, as the deploy ships it. */
function serverWith(document: object, env: Record<string, string> = {}) {
  const root = tempDir();
  writeFileSync(join(root, 'openapi.json'), JSON.stringify(document));
  const handler = createServerHandler({ sink: NO_SINK, env: { LAMBDA_TASK_ROOT: root, ONNXLESS_OPENAPI_FILE: 'openapi.json', ...env } });
  return async (path: string, method = 'GET', stage?: string) => (await handler(httpApiEvent(method, path, { stage }))) as Result;
}

/** The page's config, as its script reads it. */
function configOf(html: string): any {
  const json = /<script type="application\/json" id="onnxless-page">(.*?)<\/script>/s.exec(html)?.[1];
  return JSON.parse(json ?? 'null');
}

const DOCUMENT = { openapi: '3.0.3', info: { title: 'demo </script><script>alert(1)</script>', version: '1' }, paths: { '/v2': {} } };

describe('the browser pages of the server function', () => {
  it('writes the document, its stage prefix and region into /docs, under a policy that keeps it on this origin', async () => {
    const get = serverWith(DOCUMENT, { AWS_REGION: 'eu-west-3' });
    const res = await get('/prod/docs', 'GET', 'prod');
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-security-policy']).toBe(PAGE_POLICY);
    expect(PAGE_POLICY).toContain("connect-src 'self'");
    expect(configOf(res.body)).toEqual({ page: 'docs', document: DOCUMENT, base: '/prod', region: 'eu-west-3' });
    // A title cannot close the config's script element or add one of its own.
    expect(res.body.match(/<script/g)).toHaveLength(3);
    expect(res.body).toContain('<title>demo &#60;/script&#62;');
  });

  it('says when it runs under the local emulator, which checks no signature', async () => {
    const res = await serverWith(DOCUMENT, { IS_OFFLINE: 'true' })('/playground');
    expect(configOf(res.body)).toMatchObject({ page: 'playground', base: '', emulated: true });
  });

  it('serves each page file with its type, and 404 naming the files for any other', async () => {
    const get = serverWith(DOCUMENT);
    for (const [file, type] of [
      ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
      ['swagger-ui.css', 'text/css; charset=utf-8'],
      ['playground.js', 'text/javascript; charset=utf-8'],
      ['docs.js', 'text/javascript; charset=utf-8'],
      ['pages.css', 'text/css; charset=utf-8'],
    ]) {
      const res = await get(`/web/${file}`);
      expect([file, res.statusCode, res.headers?.['content-type']]).toEqual([file, 200, type]);
      expect(res.body).not.toMatch(/sourceMappingURL/);
    }
    const missing = await get('/web/..%2Fopenapi.json');
    expect(missing.statusCode).toBe(404);
    expect(jsonBody(missing).error).toMatch(/^no page file '\.\.\/openapi\.json'; files: swagger-ui-bundle\.js, /);
    expect((await get('/docs', 'POST')).statusCode).toBe(405);
  });

  it('answers 404 for the pages when no document was deployed', async () => {
    const res = (await createServerHandler({ sink: NO_SINK, env: {} })(httpApiEvent('GET', '/docs'))) as Result;
    expect(res.statusCode).toBe(404);
    expect(jsonBody(res).error).toBe('no OpenAPI document is deployed with this function, so no /docs page');
  });

  it("leaves the pages to the server function: a model function's router answers them 404", async () => {
    const res = await new Router([]).handle({ method: 'GET', path: '/playground', headers: {}, query: {}, body: Buffer.alloc(0) });
    expect(res.status).toBe(404);
    expect(JSON.parse(String(res.body)).error).toMatch(/served by the server function/);
  });
});
