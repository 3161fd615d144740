import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** An API Gateway HTTP API (payload v2) event as Lambda receives it. */
export function httpApiEvent(
  method: string,
  path: string,
  options: { body?: string | Buffer; headers?: Record<string, string>; query?: Record<string, string>; stage?: string } = {},
): APIGatewayProxyEventV2 {
  const binary = Buffer.isBuffer(options.body);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: { 'content-type': 'application/json', ...(options.headers ?? {}) },
    queryStringParameters: options.query,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'req-1',
      routeKey: '$default',
      // A named stage's segment starts rawPath; `$default` (what serverless deploys) adds none.
      stage: options.stage ?? '$default',
      time: '29/Nov/2026:00:00:00 +0000',
      timeEpoch: 0,
    },
    body: options.body === undefined ? undefined : binary ? (options.body as Buffer).toString('base64') : (options.body as string),
    isBase64Encoded: binary,
  };
}

export type Result = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };

/** The JSON body of a result, whatever its encoding. */
export function jsonBody(result: Result): any {
  const text = result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body;
  return JSON.parse(text);
}

export function bodyBytes(result: Result): Buffer {
  return result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8');
}
