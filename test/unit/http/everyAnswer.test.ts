import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../lib/core/errors';
import { errorResult, toHttpApiResult } from '../../../lib/core/http/apiGatewayV2';
import { jsonResponse } from '../../../lib/core/http/HttpTypes';

// The Lambda handlers answer through API Gateway with the same headers serve writes on every
// answer: a JSON error echoing a caller's text is never sniffed as HTML by a browser.
describe("a Lambda handler's answers", () => {
  it('carry nosniff on JSON, binary and error answers, beside their own headers', () => {
    const json = toHttpApiResult(jsonResponse(200, { ok: true }, { 'x-own': '1' }));
    const binary = toHttpApiResult({ status: 200, headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from([1, 2]) });
    const error = errorResult(new BadRequestError('<script>alert(1)</script> is not a tensor'));
    for (const result of [json, binary, error]) expect(result.headers?.['x-content-type-options']).toBe('nosniff');
    expect(json.headers?.['x-own']).toBe('1');
    expect(binary.isBase64Encoded).toBe(true);
    expect(error.statusCode).toBe(400);
  });
});
