import type { HttpRequest } from '../http/HttpTypes';

/**
 * The `Prefer` request header (RFC 7240): a comma-separated list of preferences, each
 * `token [= word] *(; parameter)`, names compared case-insensitively (section 2). A header given
 * twice arrives joined by commas (Node and API Gateway both join repeated headers), which is the
 * same list (RFC 9110 5.3). A server may ignore any preference (section 2): this one honours
 * `respond-async` alone, and reads past the others.
 */
export function preferences(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of splitOutsideQuotes(header ?? '', ',')) {
    const [head = ''] = splitOutsideQuotes(item, ';');
    const eq = head.indexOf('=');
    const name = (eq < 0 ? head : head.slice(0, eq)).trim().toLowerCase();
    if (name === '' || out.has(name)) continue; // section 2: the first of a repeated preference wins
    out.set(name, eq < 0 ? '' : unquote(head.slice(eq + 1).trim()));
  }
  return out;
}

/** `Prefer: respond-async` (RFC 7240 4.1): answer 202 and do the work after the answer. */
export const RESPOND_ASYNC = 'respond-async';

export function prefersRespondAsync(headers: HttpRequest['headers']): boolean {
  return preferences(headers.prefer).has(RESPOND_ASYNC);
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted && c === '\\') {
      current += c + (text[++i] ?? '');
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === separator && !quoted) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function unquote(word: string): string {
  return word.startsWith('"') && word.endsWith('"') && word.length >= 2 ? word.slice(1, -1).replace(/\\(.)/g, '$1') : word;
}
