import type { AuthType } from '../registry/schema';

const errorBody = (description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

// API Gateway answers a refused caller itself, before any function runs, with its own body.
const gatewayBody = (description: string) => ({
  description,
  content: {
    'application/json': {
      schema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
    },
  },
});

/** The statuses the router raises (lib/core/errors.ts, lib/core/inference/errors.ts), by response name. */
const STATUS = {
  BadRequest: '400',
  NotFound: '404',
  MethodNotAllowed: '405',
  PayloadTooLarge: '413',
  UnsupportedMediaType: '415',
  InternalError: '500',
  ModelUnavailable: '503',
  DeadlineExceeded: '504',
} as const;

export type ErrorResponseName = keyof typeof STATUS;

/** The router's errors and API Gateway's refusals, as reusable responses (components.responses). */
export function errorResponses(maxBodyBytes: number): Record<ErrorResponseName | 'Unauthorized' | 'Forbidden', unknown> {
  return {
    BadRequest: errorBody('The request is malformed or does not fit the model; the message names the field.'),
    NotFound: errorBody('No such model or route; the message lists the models served here.'),
    MethodNotAllowed: errorBody('The route exists, not for this method.', {
      Allow: { description: 'The methods the route answers.', schema: { type: 'string' } },
    }),
    PayloadTooLarge: errorBody(
      `The body is over ${maxBodyBytes} bytes, a tensor is over its element limit, or an image declares more pixels than allowed (checked before decoding).`,
    ),
    UnsupportedMediaType: errorBody('A content type the route does not accept; the message lists the accepted ones.'),
    ModelUnavailable: errorBody('The model cannot be served now: weights missing or refused, or still loading when the time ran out.', {
      'Retry-After': { description: 'Seconds to wait before retrying, when a load is under way.', schema: { type: 'integer' } },
    }),
    DeadlineExceeded: errorBody("The inference would not finish before the function's deadline, so it was refused up front."),
    InternalError: errorBody('An unexpected failure; the details are in the logs, not in the answer.'),
    Unauthorized: gatewayBody('API Gateway refused the call: no valid bearer token.'),
    Forbidden: gatewayBody("API Gateway refused the call: the signature or the caller's IAM permissions do not allow it."),
  };
}

/** `{ '400': { $ref }, ... }` for the named errors, plus the refusal the auth type brings. */
export function errorRefs(names: readonly ErrorResponseName[], auth: AuthType): Record<string, unknown> {
  const refs: Record<string, unknown> = {};
  for (const name of names) refs[STATUS[name]] = { $ref: `#/components/responses/${name}` };
  if (auth === 'jwt') refs['401'] = { $ref: '#/components/responses/Unauthorized' };
  if (auth === 'iam') refs['403'] = { $ref: '#/components/responses/Forbidden' };
  return refs;
}
