/**
 * GET /docs: Swagger UI (swagger-ui-dist, loaded before this script from /web/) on the document
 * the server wrote into the page, with every call going to this page's own origin and stage.
 */
import { apiBase, el, readPageConfig } from './shared/page';
import { authOf, awscurlLine, curlLine, exampleRoute } from './shared/signing';

declare global {
  interface Window {
    SwaggerUIBundle?: (options: Record<string, unknown>) => unknown;
  }
}

const config = readPageConfig();
const app = document.getElementById('app') as HTMLElement;
const base = apiBase(config);
const auth = authOf(config);

app.append(
  el(
    'header',
    { class: 'bar' },
    el('strong', {}, config.document.info?.title ?? 'onnxless'),
    ' ',
    el('a', { href: 'playground' }, 'Playground'),
    ' ',
    el('a', { href: 'openapi.json' }, 'openapi.json'),
  ),
);

if (auth.type === 'sigv4') {
  const example = exampleRoute(config.document);
  const lines = [awscurlLine(`${base}/v2`, auth.region)];
  if (example)
    lines.push(curlLine({ method: 'POST', url: `${base}${example.path}`, contentType: example.contentType, file: 'input.file' }, auth));
  app.append(
    el(
      'section',
      { class: 'signing', 'data-auth': 'sigv4' },
      el('h2', {}, 'This API takes SigV4-signed calls (auth: iam)'),
      el(
        'p',
        {},
        'A browser cannot sign requests: on the deployed API "Try it out" gets 403. Call it with AWS credentials allowed ',
        el('code', {}, 'execute-api:Invoke'),
        ' on its routes, for example:',
      ),
      el('pre', { 'data-signing': 'awscurl' }, lines.join('\n\n')),
      config.emulated
        ? el(
            'p',
            { 'data-emulated': '' },
            'Here on the local stack (npm start), nothing checks signatures: "Try it out" and plain curl work as they are.',
          )
        : '',
    ),
  );
}

const ui = el('div', { id: 'swagger-ui' });
app.append(ui);
if (!window.SwaggerUIBundle) {
  ui.textContent = 'Swagger UI did not load (web/swagger-ui-bundle.js).';
} else {
  window.SwaggerUIBundle({
    spec: { ...config.document, servers: [{ url: base, description: 'this API' }] },
    domNode: ui,
    // No call to validator.swagger.io or any other host: the page tells no one it was opened.
    validatorUrl: null,
    deepLinking: true,
    tryItOutEnabled: true,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 0,
  });
}
