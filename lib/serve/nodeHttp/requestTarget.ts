import { BadRequestError } from '../../core/errors';

export interface RequestTarget {
  path: string;
  query: Record<string, string>;
}

/**
 * The request-target (RFC 9112 §3.2) as a path and query. An origin-form target is always read
 * against a fixed origin, never as a URL of its own: `//`, `///` or `//a:b@/` are paths with
 * empty segments (a 404 further on), not network-path references that `new URL(target, base)`
 * would parse as a host, or throw on. Whatever cannot be read is a 400, never an exception.
 */
export function parseRequestTarget(target: string | undefined): RequestTarget {
  const raw = target ?? '/';
  let url: URL;
  try {
    if (raw.startsWith('/')) url = new URL(`http://localhost${raw}`);
    else if (/^https?:\/\//i.test(raw)) url = new URL(raw);
    else throw new TypeError('not origin-form or absolute-form');
  } catch {
    throw new BadRequestError(`malformed request target '${printable(raw)}'`);
  }
  // Most targets have no query: URLSearchParams is built only for one that has (~16 us a request).
  return { path: url.pathname, query: url.search === '' ? {} : queryOf(url.searchParams) };
}

/**
 * The query, each parameter once. A repeated one is a 400: taking the first or the last would be
 * a guess (API Gateway hands the Lambda handler `a=1&a=2` as `"1,2"`), and a proxy in front may
 * have guessed the other way.
 */
function queryOf(params: URLSearchParams): Record<string, string> {
  const seen = new Set<string>();
  for (const name of params.keys()) {
    if (seen.has(name)) {
      const count = params.getAll(name).length;
      throw new BadRequestError(`query parameter '${printable(name)}' is given ${count} times; give it once`);
    }
    seen.add(name);
  }
  // Object.fromEntries defines own properties: `__proto__` stays a parameter, never a prototype.
  return Object.fromEntries(params);
}

/** At most 80 characters of what the caller sent, control characters escaped. */
function printable(raw: string): string {
  const cut = raw.length > 80 ? `${raw.slice(0, 80)}...` : raw;
  return JSON.stringify(cut).slice(1, -1);
}
