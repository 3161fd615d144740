import { PAGE_CONFIG_ID, type PageConfig } from './PageConfig';

/**
 * The pages load nothing but their own files from /web/ (no CDN: they work offline and tell no
 * third party who opened them), and the policy holds them to it: scripts and connections go to
 * this origin only. Swagger UI sets inline style attributes and uses data: icons; the playground
 * shows the chosen file through blob: URLs.
 */
export const PAGE_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGES = {
  docs: { title: 'API reference', styles: ['swagger-ui.css', 'pages.css'], scripts: ['swagger-ui-bundle.js', 'docs.js'] },
  playground: { title: 'Playground', styles: ['pages.css'], scripts: ['playground.js'] },
} as const;

/**
 * One page: its files by relative URL (`web/...`, so a stage prefix such as `/prod/docs` finds
 * `/prod/web/...` with nothing configured), and its config as inert JSON the script reads.
 */
export function pageHtml(config: PageConfig): string {
  const page = PAGES[config.page];
  const title = `${config.document.info?.title ?? 'onnxless'}: ${page.title}`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    // No icon: the browser would otherwise ask for /favicon.ico, a 404 on every page load.
    '<link rel="icon" href="data:,">',
    ...page.styles.map((file) => `<link rel="stylesheet" href="web/${file}">`),
    '</head>',
    `<body class="onnxless-${config.page}">`,
    `<script type="application/json" id="${PAGE_CONFIG_ID}">${scriptJson(config)}</script>`,
    '<div id="app"><noscript>This page needs JavaScript; the API itself is described at openapi.json.</noscript></div>',
    ...page.scripts.map((file) => `<script src="web/${file}"></script>`),
    '</body>',
    '</html>',
  ].join('\n');
}

/** JSON safe inside a script element: no `</script>` or `<!--` can end it early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
