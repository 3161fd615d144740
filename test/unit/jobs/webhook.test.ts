import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../lib/core/errors';
import { checkJobId, newJobId } from '../../../lib/core/jobs/jobId';
import { checkWebhook, webhookPolicy } from '../../../lib/core/jobs/webhook';

const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BadRequestError);
    return (err as Error).message;
  }
  throw new Error('not refused');
};

describe('a webhook URL', () => {
  const policy = webhookPolicy(['hooks.example.com', '127.0.0.1:8080']);

  it('is called only at a listed host: by name (any port) or host:port', () => {
    expect(checkWebhook('https://hooks.example.com/a?b=1', policy)).toBe('https://hooks.example.com/a?b=1');
    expect(checkWebhook('http://HOOKS.example.com:9000/', policy)).toBe('http://hooks.example.com:9000/');
    expect(checkWebhook('http://127.0.0.1:8080/x', policy)).toBe('http://127.0.0.1:8080/x');
    expect(refusal(() => checkWebhook('http://127.0.0.1:8081/x', policy))).toContain("host '127.0.0.1:8081' is not among");
    expect(refusal(() => checkWebhook('http://hooks.example.com.evil.test/', policy))).toContain('not among');
  });

  it('is refused when not http(s), with credentials, or not a URL', () => {
    expect(refusal(() => checkWebhook('ftp://hooks.example.com/', policy))).toContain('only http and https');
    expect(refusal(() => checkWebhook('file:///etc/passwd', policy))).toContain('only http and https');
    expect(refusal(() => checkWebhook('https://u:p@hooks.example.com/', policy))).toContain('credentials');
    expect(refusal(() => checkWebhook('hooks.example.com/x', policy))).toContain('not a URL');
  });

  it('is refused everywhere when no host is listed (the default), and allowed anywhere with *', () => {
    expect(refusal(() => checkWebhook('https://hooks.example.com/', webhookPolicy(undefined)))).toContain('webhooks are off');
    expect(checkWebhook('http://10.0.0.1/', webhookPolicy(['*']))).toBe('http://10.0.0.1/');
  });
});

describe('a job id', () => {
  it('is a random UUID, and only that form is taken back', () => {
    const ids = new Set(Array.from({ length: 100 }, newJobId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(checkJobId(id)).toBe(id);
    for (const bad of ['', '../x', 'ABCDEF00-0000-4000-8000-000000000000', '00000000-0000-0000-0000-000000000000', `${newJobId()}/`]) {
      expect(
        refusal(() => checkJobId(bad)),
        bad,
      ).toContain('not a job id');
    }
  });
});
