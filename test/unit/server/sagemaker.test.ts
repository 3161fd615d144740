import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HttpRequest } from '../../../lib/core/http/HttpTypes';
import { HEADER_LENGTH } from '../../../lib/core/protocol/binaryTensor';
import { invocationRequest, SAGEMAKER_BINARY_TYPE } from '../../../lib/serve/sagemaker';

function invocation(contentType: string): HttpRequest {
  const req: HttpRequest = {
    method: 'POST',
    path: '/invocations',
    headers: { 'content-type': contentType },
    query: {},
    body: Buffer.alloc(80),
  };
  return invocationRequest(req, 'm', () => false, ['m']);
}

describe("/invocations: Triton's SageMaker binary type and its json-header-size", () => {
  it('takes plain decimal digits, the parameter name in any case, spaces around the separator, a quoted value', () => {
    for (const type of [
      `${SAGEMAKER_BINARY_TYPE};json-header-size=70`,
      `${SAGEMAKER_BINARY_TYPE} ; JSON-Header-Size=70`,
      `${SAGEMAKER_BINARY_TYPE}; charset=utf-8; json-header-size="70"`,
    ]) {
      const target = invocation(type);
      expect(target.path, type).toBe('/v2/models/m/infer');
      expect(target.headers[HEADER_LENGTH], type).toBe('70');
      expect(target.headers['content-type'], type).toBe('application/octet-stream');
    }
  });

  it.each(['70.0', '0x46', '7e1', '+70', '-1', ' 70x', '', '"70', '1234567890123456', '٧٠'])(
    'refuses json-header-size=%s with a 400 naming the rule (the same as Inference-Header-Content-Length)',
    (value) => {
      expect(() => invocation(`${SAGEMAKER_BINARY_TYPE};json-header-size=${value}`)).toThrow(
        expect.objectContaining({ status: 400, message: expect.stringMatching(/json-header-size .*decimal digits/) }),
      );
    },
  );

  it('refuses a repeated json-header-size with a 400, whichever value comes first', () => {
    for (const type of [
      `${SAGEMAKER_BINARY_TYPE};json-header-size=70;json-header-size=10`,
      `${SAGEMAKER_BINARY_TYPE};json-header-size=70; JSON-HEADER-SIZE=70`,
    ]) {
      expect(() => invocation(type), type).toThrow(
        expect.objectContaining({ status: 400, message: expect.stringMatching(/json-header-size.* more than once/) }),
      );
    }
  });

  it('takes any json-header-size that is 1 to 15 decimal digits, and refuses every other value (fuzzed)', () => {
    // Quoted values and `;` (a parameter separator) have their own cases above.
    const value = fc.oneof(
      fc.string({ maxLength: 18 }),
      fc.stringMatching(/^[0-9]{1,17}$/),
      fc.constantFrom('70.0', '0x46', '1e2', ' 7', '07'),
    );
    fc.assert(
      fc.property(
        value.filter((v) => !/[";]/.test(v)),
        (v) => {
          const type = `${SAGEMAKER_BINARY_TYPE};json-header-size=${v}`;
          if (/^\d{1,15}$/.test(v.trim())) expect(invocation(type).headers[HEADER_LENGTH]).toBe(v.trim());
          else expect(() => invocation(type)).toThrow(expect.objectContaining({ status: 400 }));
        },
      ),
    );
  });

  it('refuses the binary type without the parameter', () => {
    expect(() => invocation(SAGEMAKER_BINARY_TYPE)).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => invocation(`${SAGEMAKER_BINARY_TYPE};xjson-header-size=70`)).toThrow(expect.objectContaining({ status: 400 }));
  });
});
