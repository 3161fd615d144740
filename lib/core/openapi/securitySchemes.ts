import type { AuthConfig } from '../registry/schema';
import type { SecurityScheme } from './types';

/**
 * The registry's `auth` as OpenAPI security: every route of the API carries the same
 * authorizer (lib/tools/deploy/plan.ts), so one requirement applies to the whole document.
 * `none` yields no scheme and no requirement.
 */
export function securityOf(auth: AuthConfig): { schemes?: Record<string, SecurityScheme>; requirement?: Array<Record<string, string[]>> } {
  switch (auth.type) {
    case 'iam':
      return {
        // The form API Gateway itself exports and imports for IAM-authorised routes.
        schemes: {
          sigv4: {
            type: 'apiKey',
            name: 'Authorization',
            in: 'header',
            'x-amazon-apigateway-authtype': 'awsSigv4',
            description:
              'AWS Signature Version 4 (service execute-api): sign each request with credentials allowed execute-api:Invoke on the route.',
          },
        },
        requirement: [{ sigv4: [] }],
      };
    case 'jwt':
      return {
        schemes: {
          jwt: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: `A JWT from ${auth.issuer} for audience ${auth.audience.join(' or ')}, in the Authorization header.`,
          },
        },
        requirement: [{ jwt: [] }],
      };
    case 'none':
      return {};
  }
}
