import { NotFoundError } from '../errors';
import type { HttpResponse } from '../http/HttpTypes';
// Written by scripts/build-web.ts (npm install, npm start and npm test run it): Swagger UI from
// swagger-ui-dist and the playground's bundle, as text. A JSON import, so every form that ships
// carries them with no file of its own: esbuild inlines JSON into the server function's bundle
// (its zip holds the bundle alone), and tsx and the compiled CLI read it the same way.
import built from './built/assets.json';

export interface WebAsset {
  /** Content-Type of the file. */
  type: string;
  body: string;
}

const ASSETS: Readonly<Record<string, WebAsset>> = built;

/** The page files by name (`swagger-ui-bundle.js`, `playground.js`, ...). */
export function webAssetNames(): string[] {
  return Object.keys(ASSETS);
}

/**
 * `GET /web/{asset}`: one built file. They change only with a new deployment, so browsers may
 * keep them for a few minutes; nothing else (a page, an answer) is cached.
 */
export function webAssetResponse(name: string): HttpResponse {
  const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (!asset) throw new NotFoundError(`no page file '${name.slice(0, 64)}'; files: ${webAssetNames().join(', ')}`);
  return {
    status: 200,
    headers: { 'content-type': asset.type, 'cache-control': 'public, max-age=300', 'x-content-type-options': 'nosniff' },
    body: asset.body,
  };
}
