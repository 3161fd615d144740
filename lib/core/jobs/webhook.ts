import { BadRequestError } from '../errors';
import type { JobStatus } from './JobStatus';

/** The request header that names a job's webhook (a binary body has no field to carry it, as Cog's JSON has). */
export const WEBHOOK_HEADER = 'onnxless-webhook';

/**
 * Which webhook URLs a deployment calls. A webhook makes the function send a POST wherever the
 * caller says: left open, any caller could aim it at what only the function can reach (the
 * instance metadata service, a VPC's private hosts): server-side request forgery. So none is
 * called unless its host is listed: `hosts` empty (the default) refuses every webhook; `*` allows
 * any host, for a deployment whose callers are all trusted.
 */
export interface WebhookPolicy {
  /** `host` or `host:port` entries, lower-case; `*` for any. */
  hosts: readonly string[];
}

export const NO_WEBHOOKS: WebhookPolicy = Object.freeze({ hosts: [] });

/** The webhook URL of a request, checked: http(s) only, to a listed host; 400 naming why otherwise. */
export function checkWebhook(value: string, policy: WebhookPolicy): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new BadRequestError(`${WEBHOOK_HEADER}: '${value.slice(0, 200)}' is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new BadRequestError(`${WEBHOOK_HEADER}: only http and https URLs are called, not ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') throw new BadRequestError(`${WEBHOOK_HEADER}: a URL with credentials is not called`);
  if (policy.hosts.length === 0) {
    throw new BadRequestError(`${WEBHOOK_HEADER}: webhooks are off for this deployment; its operator lists the hosts it may call`);
  }
  const host = url.host.toLowerCase();
  if (!policy.hosts.includes('*') && !policy.hosts.includes(host) && !policy.hosts.includes(url.hostname.toLowerCase())) {
    throw new BadRequestError(`${WEBHOOK_HEADER}: host '${host}' is not among the hosts this deployment calls`);
  }
  return url.href;
}

/** What a webhook call came to, for the log: its status, or why there is none. */
export type WebhookOutcome = { ok: true; status: number } | { ok: false; status?: number; error: string };

const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * POSTs the job's final status to its webhook, once. No redirects are followed (a listed host
 * could otherwise send the call on to an unlisted one); no retry: the status stays readable at
 * the job's URL. Never throws: a webhook that fails does not change the job's outcome.
 */
export async function callWebhook(url: string, status: JobStatus, fetchImpl: typeof fetch = fetch): Promise<WebhookOutcome> {
  try {
    const res = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'onnxless-webhook' },
      body: JSON.stringify(status),
      redirect: 'manual',
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    await res.body?.cancel();
    return res.ok ? { ok: true, status: res.status } : { ok: false, status: res.status, error: `answered ${res.status}` };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** `ONNXLESS_WEBHOOK_HOSTS`'s comma-separated list, as a policy. */
export function webhookPolicy(hosts: readonly string[] | undefined): WebhookPolicy {
  return { hosts: (hosts ?? []).map((h) => h.trim().toLowerCase()).filter((h) => h !== '') };
}
