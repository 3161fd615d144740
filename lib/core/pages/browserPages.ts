import type { HttpResponse } from '../http/HttpTypes';
import type { BrowserPages } from '../http/routes';
import type { OpenApiView } from './PageConfig';
import { PAGE_POLICY, pageHtml } from './pageHtml';
import { webAssetResponse } from './webAssets';

export interface BrowserPagesOptions {
  /** The AWS region SigV4 lines name (the server function's AWS_REGION); absent: the page guesses from its host. */
  region?: string;
  /** Served by serverless-offline (`npm start`), which enforces no authorizer. */
  emulated?: boolean;
}

/**
 * /docs and /playground for the Router: both are the API's OpenAPI document (the registry and
 * the pipelines' declarations) turned into a page in the browser, so nothing is written per model.
 */
export function createBrowserPages(options: BrowserPagesOptions = {}): BrowserPages {
  return {
    page(name, req, document) {
      const body = pageHtml({
        page: name,
        document: JSON.parse(document) as OpenApiView,
        base: req.base ?? '',
        ...(options.region ? { region: options.region } : {}),
        ...(options.emulated ? { emulated: true } : {}),
      });
      return { status: 200, headers: pageHeaders(), body };
    },
    asset: (name) => webAssetResponse(name),
  };
}

function pageHeaders(): HttpResponse['headers'] {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': PAGE_POLICY,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}
