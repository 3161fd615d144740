import { curlLine, type ApiAuth } from '../shared/signing';
import { el } from '../shared/page';

export interface Sent {
  status: number;
  /** The parsed JSON answer (an `{"error"}` on 4xx/5xx), or undefined when it was not JSON. */
  result: unknown;
}

export interface Call {
  url: string;
  contentType: string;
  body: Blob | string;
  /** The file name the curl line posts (`@name`), for a file body. */
  fileName?: string;
}

/**
 * Posts one request and shows it in `panel` as a curl line that works from a shell (the file
 * name stands for the file picked here), then the status.
 */
export async function send(call: Call, auth: ApiAuth, panel: HTMLElement): Promise<Sent> {
  const curl = curlLine(
    typeof call.body === 'string'
      ? { method: 'POST', url: call.url, contentType: call.contentType, json: call.body }
      : { method: 'POST', url: call.url, contentType: call.contentType, file: call.fileName ?? 'input.file' },
    auth,
  );
  const status = el('p', { class: 'status', 'data-status': 'pending' }, 'sending...');
  panel.replaceChildren(el('h3', {}, 'Request'), el('pre', { class: 'curl', 'data-curl': '' }, curl), status);
  try {
    const res = await fetch(call.url, { method: 'POST', headers: { 'content-type': call.contentType }, body: call.body });
    const text = await res.text();
    let result: unknown;
    try {
      result = JSON.parse(text);
    } catch {
      result = undefined;
    }
    status.dataset.status = String(res.status);
    status.textContent = `${res.status} ${res.statusText}`;
    if (res.status === 403 && auth.type === 'sigv4')
      status.textContent += ': this API takes SigV4-signed calls; run the curl line above with your AWS credentials';
    return { status: res.status, result };
  } catch (err) {
    status.dataset.status = 'failed';
    status.textContent = `request failed: ${err instanceof Error ? err.message : String(err)}`;
    return { status: 0, result: undefined };
  }
}
