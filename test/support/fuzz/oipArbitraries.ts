import fc from 'fast-check';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { httpApiEvent } from '../httpApiEvent';

/**
 * Arbitraries for the OIP v2 HTTP surface: requests that are almost right (the interesting
 * ones: one field wrong), plainly wrong, and not JSON at all, over every transport variant
 * (JSON, binary framing, base64 bodies).
 */

export const DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
] as const;

/** Dimensions: small ones, the edges (0, negative), and claims no allocator could honour. */
export const dim = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 6 }) },
  { weight: 1, arbitrary: fc.integer({ min: -5, max: -1 }) },
  { weight: 1, arbitrary: fc.constantFrom(2 ** 31, 2 ** 32, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 1e308, -(2 ** 63), 65_536, 1_000_000) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 3 }), fc.constant(null), fc.boolean()) },
);

const shape = fc.oneof(
  { weight: 8, arbitrary: fc.array(dim, { maxLength: 5 }) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.string({ maxLength: 4 }),
      fc.integer(),
      fc.constant(null),
      fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
    ),
  },
);

/** A scalar that some datatype accepts and others refuse. */
const element = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: -300, max: 70_000 }) },
  { weight: 2, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom(2 ** 53, 2 ** 63, -(2 ** 63), 2 ** 64, 1e308, -1e-320, 65_505, 4_294_967_296) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constant(null) },
);

/** Data: flat, nested, ragged, of the wrong kind, or consistent with a shape chosen alongside. */
const data = fc.oneof(
  { weight: 4, arbitrary: fc.array(element, { maxLength: 40 }) },
  { weight: 2, arbitrary: fc.array(fc.array(element, { maxLength: 6 }), { maxLength: 6 }) },
  { weight: 1, arbitrary: fc.array(fc.oneof(element, fc.array(element, { maxLength: 3 })), { maxLength: 8 }) },
  { weight: 1, arbitrary: fc.oneof(element, fc.dictionary(fc.string({ maxLength: 3 }), element, { maxKeys: 3 })) },
);

/** A JSON-able parameters object, with the keys the protocol reads among random ones. */
const parameters = fc.oneof(
  fc.record(
    {
      binary_data_size: fc.oneof(fc.integer({ min: -4, max: 200 }), fc.constantFrom(2 ** 53, 1e308, 0.5), fc.string({ maxLength: 3 })),
      binary_data: fc.oneof(fc.boolean(), fc.integer()),
      binary_data_output: fc.oneof(fc.boolean(), fc.string({ maxLength: 3 })),
    },
    { requiredKeys: [] },
  ),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  fc.jsonValue({ maxDepth: 1 }),
);

export function inputArbitrary(names: readonly string[]) {
  return fc.record(
    {
      name: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...names) },
        { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
      ),
      shape,
      datatype: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...DATATYPES) },
        { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
      ),
      data,
      parameters,
    },
    { requiredKeys: ['name', 'shape', 'datatype'] },
  );
}

/** A datatype-consistent input whose data length does or does not agree with its shape. */
export function consistentInput(names: readonly string[]) {
  return fc
    .record({
      name: fc.constantFrom(...names),
      dims: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 3 }),
      datatype: fc.constantFrom(...DATATYPES),
      skew: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -3, max: 3 }) }),
      nested: fc.boolean(),
    })
    .map(({ name, dims, datatype, skew, nested }) => {
      const count = Math.max(0, dims.reduce((a, b) => a * b, 1) + skew);
      const value = (i: number): unknown =>
        datatype === 'BOOL' ? i % 2 === 0 : datatype === 'BYTES' ? `s${i}` : datatype.startsWith('FP') ? i / 3 : i % 100;
      const flat = Array.from({ length: count }, (_, i) => value(i));
      const last = dims[dims.length - 1] ?? 1;
      const data = nested && last > 0 ? chunk(flat, last) : flat;
      return { name, shape: dims, datatype, data };
    });
}

function chunk<T>(values: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

export function requestArbitrary(names: readonly string[], outputs: readonly string[]) {
  const input = fc.oneof({ weight: 1, arbitrary: inputArbitrary(names) }, { weight: 1, arbitrary: consistentInput(names) });
  return fc.record(
    {
      id: fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant(null)),
      inputs: fc.oneof(
        { weight: 9, arbitrary: fc.array(input, { maxLength: 4 }) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
      ),
      outputs: fc.array(
        fc.record({ name: fc.oneof(fc.constantFrom(...outputs), fc.string({ maxLength: 5 })), parameters }, { requiredKeys: ['name'] }),
        { maxLength: 3 },
      ),
      parameters,
    },
    { requiredKeys: ['inputs'] },
  );
}

/** Text mutations of a JSON body: cut, a byte changed, a duplicated key, an exact-integer literal. */
const textMutation = fc.oneof(
  { weight: 6, arbitrary: fc.constant((t: string) => t) },
  { weight: 1, arbitrary: fc.nat().map((n) => (t: string) => t.slice(0, t.length === 0 ? 0 : n % t.length)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.nat(), fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '\\', '\u0000', '\ud800', 'é', '1e999', '-'))
      .map(([n, c]) => (t: string) => {
        const at = t.length === 0 ? 0 : n % t.length;
        return t.slice(0, at) + c + t.slice(at + 1);
      }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      (t: string) => t.replace('"inputs":', '"inputs":[],"inputs":'),
      (t: string) => t.replace(/"data":\[/, '"data":[9223372036854775807,-9223372036854775808,18446744073709551616,'),
      (t: string) => t.replace(/"shape":\[/, '"shape":[1e400,'),
      (t: string) => t.replace(/"name":"/, '"name":"__proto__'),
      (t: string) => `{"__proto__":{"polluted":1},${t.slice(1)}`,
    ),
  },
);

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      'Application/JSON; charset=utf-8',
      'application/vnd.x+json',
      'text/plain',
      'application/octet-stream',
      'image/png',
      ';;;',
      'application/json; boundary="',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

/** `Inference-Header-Content-Length`: right, off by some, not a number, or absent. */
const headerLength = (length: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(String(length)) },
    { weight: 1, arbitrary: fc.integer({ min: -3, max: 3 }).map((d) => String(length + d)) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '-1', '1e3', '0x10', 'NaN', '99999999999999999999', '4.5') },
  );

export interface EventCase {
  event: APIGatewayProxyEventV2;
  /** How the event was built, for a counterexample that reads like a bug report. */
  kind: string;
}

/** A POST to the infer route in one of the transports, with the request as JSON or binary framing. */
export function inferEventArbitrary(model: string, names: readonly string[], outputs: readonly string[]): fc.Arbitrary<EventCase> {
  const path = `/v2/models/${model}/infer`;
  const json = fc
    .tuple(requestArbitrary(names, outputs), textMutation, contentType, fc.boolean())
    .map(([request, mutate, type, base64]): EventCase => {
      const text = mutate(JSON.stringify(request));
      return {
        kind: 'json',
        event: httpApiEvent('POST', path, { body: base64 ? Buffer.from(text, 'utf8') : text, headers: { 'content-type': type } }),
      };
    });
  const binary = fc
    .tuple(requestArbitrary(names, outputs), fc.uint8Array({ maxLength: 96 }), textMutation, contentType)
    .chain(([request, tail, mutate, type]) => {
      const header = Buffer.from(mutate(JSON.stringify(request)), 'utf8');
      return headerLength(header.length).map((length): EventCase => ({
        kind: 'binary',
        event: httpApiEvent('POST', path, {
          body: Buffer.concat([header, Buffer.from(tail)]),
          headers: { 'content-type': type, 'inference-header-content-length': length },
        }),
      }));
    });
  const randomJson = fc.jsonValue({ maxDepth: 4 }).map((value): EventCase => ({
    kind: 'random json',
    event: httpApiEvent('POST', path, { body: JSON.stringify(value) ?? '' }),
  }));
  const brokenBase64 = fc.string({ maxLength: 80 }).map((body): EventCase => {
    const event = httpApiEvent('POST', path, { body });
    return { kind: 'broken base64', event: { ...event, isBase64Encoded: true } };
  });
  const randomBytes = fc.uint8Array({ maxLength: 200 }).map((bytes): EventCase => ({
    kind: 'random bytes',
    event: httpApiEvent('POST', path, { body: Buffer.from(bytes), headers: { 'content-type': 'application/octet-stream' } }),
  }));
  return fc.oneof(
    { weight: 8, arbitrary: json },
    { weight: 3, arbitrary: binary },
    { weight: 1, arbitrary: randomJson },
    { weight: 1, arbitrary: brokenBase64 },
    { weight: 1, arbitrary: randomBytes },
  );
}

/** Any method on any path: routes, near-routes, encodings that do not decode, prefixes. */
export function routeEventArbitrary(model: string): fc.Arbitrary<EventCase> {
  const segment = fc.oneof(
    fc.constantFrom(
      'v2',
      'models',
      model,
      'infer',
      'ready',
      'health',
      'live',
      'versions',
      '1',
      'predict',
      '',
      '..',
      '%',
      '%E0%A4%A',
      '%00',
      '%2F',
      '%zz',
      'm%C3%A9',
    ),
    fc.string({ maxLength: 6 }),
  );
  const templates = fc.constantFrom(
    (m: string) => `/v2/models/${m}`,
    (m: string) => `/v2/models/${m}/ready`,
    (m: string) => `/v2/models/${m}/infer`,
    (m: string) => `/v2/models/${m}/versions/${m}/infer`,
    (m: string) => `/models/${m}/predict`,
  );
  // Half the paths are real route shapes with a fuzzed model segment (where decoding happens).
  const path = fc.oneof(
    fc.array(segment, { maxLength: 6 }).map((segments) => `/${segments.join('/')}`),
    fc.tuple(fc.constantFrom('', '/prod', '/%', '/a/b'), templates, segment).map(([prefix, t, m]) => prefix + t(m)),
  );
  return fc
    .tuple(
      path,
      fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'get', 'BREW'),
      fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
    )
    .map(([p, method, body]): EventCase => ({
      kind: 'route',
      event: httpApiEvent(method, p, { body }),
    }));
}
