import fc from 'fast-check';
import { httpApiEvent } from '../httpApiEvent';
import type { EventCase } from './oipArbitraries';

/**
 * A POST to a domain route carrying `media`: raw with a right or wrong content type, as base64
 * in a JSON field (clean, as a data URL, wrapped, broken), or as API Gateway base64 gone bad.
 */
export function predictEventArbitrary(
  model: string,
  media: fc.Arbitrary<{ name: string; bytes: Buffer }>,
  field: string,
  rawTypes: readonly string[],
  query: fc.Arbitrary<Record<string, string>> = fc.constant({}),
): fc.Arbitrary<EventCase> {
  const path = `/models/${model}/predict`;
  const type = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...rawTypes) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        'text/plain',
        'application/octet-stream',
        'image/gif',
        'audio/mpeg',
        'IMAGE/PNG; q=1',
        'multipart/form-data; boundary=x',
      ),
    },
  );
  const encodings = fc.constantFrom(
    'raw',
    'json',
    'data-url',
    'wrapped',
    'bad-alphabet',
    'wrong-field',
    'not-a-string',
    'not-json',
    'apigw-broken',
  );
  return fc.tuple(media, encodings, type, query, fc.nat()).map(([m, how, contentType, q, n]): EventCase => {
    const b64 = m.bytes.toString('base64');
    const json = (value: unknown) => httpApiEvent('POST', path, { body: JSON.stringify(value), query: q });
    const kind = `${m.name} as ${how}`;
    switch (how) {
      case 'raw':
        return { kind, event: httpApiEvent('POST', path, { body: m.bytes, headers: { 'content-type': contentType }, query: q }) };
      case 'json':
        return { kind, event: json({ [field]: b64 }) };
      case 'data-url':
        return { kind, event: json({ [field]: `data:${contentType};base64,${b64}` }) };
      case 'wrapped':
        return { kind, event: json({ [field]: b64.replace(/(.{76})/g, '$1\r\n') }) };
      case 'bad-alphabet': {
        const at = b64.length === 0 ? 0 : n % b64.length;
        return { kind, event: json({ [field]: `${b64.slice(0, at)}${'!*$ ==\u00e9'[n % 7]}${b64.slice(at)}` }) };
      }
      case 'wrong-field':
        return { kind, event: json({ [`${field}s`]: b64, data: b64 }) };
      case 'not-a-string':
        return { kind, event: json({ [field]: [...m.bytes.subarray(0, 16)] }) };
      case 'not-json':
        return { kind, event: httpApiEvent('POST', path, { body: `{"${field}": "${b64.slice(0, n % (b64.length + 1))}`, query: q }) };
      default: {
        const event = httpApiEvent('POST', path, { body: m.bytes, headers: { 'content-type': contentType }, query: q });
        const body = event.body ?? '';
        return { kind, event: { ...event, body: body.slice(0, n % (body.length + 1)) + '%%' } };
      }
    }
  });
}

/** Query strings a caller could send to the VAD route: thresholds in and out of range, junk. */
export const vadQuery: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    threshold: fc.oneof(
      fc.constantFrom('0.5', '0', '1', '-1', '2', 'NaN', 'Infinity', '1e-400', '', 'abc', '0x1'),
      fc.double().map(String),
    ),
    probabilities: fc.constantFrom('true', 'false', '1', '0', 'yes', ''),
    extra: fc.string({ maxLength: 5 }),
  },
  { requiredKeys: [] },
);
