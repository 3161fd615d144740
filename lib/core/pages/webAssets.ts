import { NotFoundError } from '../errors';
import type { HttpResponse } from '../http/HttpTypes';

export interface WebAsset {
  /** Content-Type of the file. */
  type: string;
  body: string;
}

let assets: Promise<Readonly<Record<string, WebAsset>> | undefined> | undefined;

/**
 * The page files, written by scripts/build-web.ts (npm install, npm start and npm test run it):
 * Swagger UI from swagger-ui-dist and the bundles of web/, as text. A JSON import, so every form
 * that ships carries them with no file of its own: esbuild inlines it into the server function's
 * bundle (its zip holds the bundle alone) and the compiled CLI, and tsx reads it from the tree.
 * Loaded on the first request for a file; an install that never built them (`npm ci --omit=dev`
 * runs no build) still serves the API, and says how to build the pages.
 */
function loadAssets(): Promise<Readonly<Record<string, WebAsset>> | undefined> {
  assets ??= import('./built/assets.json').then(
    (module) => module.default as Record<string, WebAsset>,
    () => undefined,
  );
  return assets;
}

/**
 * `GET /web/{asset}`: one built file. They change only with a new deployment, so browsers may
 * keep them for a few minutes; nothing else (a page, an answer) is cached.
 */
export async function webAssetResponse(name: string): Promise<HttpResponse> {
  const files = await loadAssets();
  if (!files) throw new NotFoundError('the page files are not built in this install: run npm run build:web');
  const asset = Object.hasOwn(files, name) ? files[name] : undefined;
  if (!asset) throw new NotFoundError(`no page file '${name.slice(0, 64)}'; files: ${Object.keys(files).join(', ')}`);
  return {
    status: 200,
    headers: { 'content-type': asset.type, 'cache-control': 'public, max-age=300', 'x-content-type-options': 'nosniff' },
    body: asset.body,
  };
}
