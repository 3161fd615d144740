import { Readable } from 'node:stream';
import { createRolloutClients, type RolloutClients } from '../../../lib/tools/rollout/index';

/**
 * A recorded-interaction fake of the AWS APIs the rollout commands call. The real SDK clients
 * serialise each command into an HTTP request as they would for AWS; this request handler (the
 * SDK's HTTP layer, swapped in through the clients' `requestHandler`) answers it with a recorded
 * HTTP response, which the SDK's own deserialisers parse. The recordings are JSON bodies shaped as
 * the AWS API references document them (Lambda REST JSON, CodeDeploy JSON 1.1, CloudWatch JSON
 * 1.0). Nothing here is AWS: it proves the commands' logic and their use of the SDK.
 */

export interface Interaction {
  /** `lambda:GetAlias`, `codedeploy:ListDeployments`, `cloudwatch:DescribeAlarms`, ... */
  operation: string;
  status?: number;
  headers?: Record<string, string>;
  body: unknown;
}

export interface RecordedCall {
  operation: string;
  method: string;
  path: string;
  /** The JSON the SDK sent, when it sent any. */
  body?: unknown;
}

interface SdkRequest {
  method: string;
  hostname: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

// Lambda's REST paths -> operation names (API version 2015-03-31).
const LAMBDA_ROUTES: Array<[string, RegExp, string]> = [
  ['GET', /^\/2015-03-31\/functions\/[^/]+\/aliases\/[^/]+$/, 'GetAlias'],
  ['PUT', /^\/2015-03-31\/functions\/[^/]+\/aliases\/[^/]+$/, 'UpdateAlias'],
  ['GET', /^\/2015-03-31\/functions\/[^/]+\/versions$/, 'ListVersionsByFunction'],
];

export class RecordedAws {
  readonly calls: RecordedCall[] = [];
  private readonly pending: Interaction[];

  constructor(interactions: Interaction[]) {
    this.pending = [...interactions];
  }

  /** The interactions no request used: a test expects none. */
  unused(): string[] {
    return this.pending.map((i) => i.operation);
  }

  clients(): RolloutClients {
    return createRolloutClients({
      region: 'us-east-1',
      // Requests are signed as for AWS; nothing checks the signature.
      credentials: { accessKeyId: 'AKIDRECORDEDFAKE', secretAccessKey: 'recorded' },
      requestHandler: { handle: (request: SdkRequest) => this.handle(request) } as never,
    });
  }

  private async handle(request: SdkRequest): Promise<{ response: unknown }> {
    const operation = operationOf(request);
    const text =
      typeof request.body === 'string' ? request.body : request.body instanceof Uint8Array ? new TextDecoder().decode(request.body) : '';
    this.calls.push({
      operation,
      method: request.method,
      path: decodeURIComponent(request.path),
      ...(text ? { body: JSON.parse(text) as unknown } : {}),
    });
    const index = this.pending.findIndex((i) => i.operation === operation);
    const interaction: Interaction =
      index >= 0
        ? this.pending.splice(index, 1)[0]!
        : {
            operation,
            status: 400,
            headers: { 'x-amzn-errortype': 'UnexpectedRequest' },
            body: { __type: 'UnexpectedRequest', message: `no recorded interaction for ${operation}` },
          };
    const body = Buffer.from(JSON.stringify(interaction.body));
    return {
      response: {
        statusCode: interaction.status ?? 200,
        reason: undefined,
        headers: {
          'content-type': 'application/json',
          'content-length': String(body.length),
          'x-amzn-requestid': 'recorded',
          ...interaction.headers,
        },
        body: Readable.from([body]),
      },
    };
  }
}

function operationOf(request: SdkRequest): string {
  const service = request.hostname.split('.')[0] === 'monitoring' ? 'cloudwatch' : request.hostname.split('.')[0]!;
  const target = request.headers['x-amz-target'] ?? request.headers['X-Amz-Target'];
  if (target) return `${service}:${target.slice(target.indexOf('.') + 1)}`;
  const route = LAMBDA_ROUTES.find(([method, pattern]) => method === request.method && pattern.test(request.path));
  return `${service}:${route ? route[2] : `${request.method} ${request.path}`}`;
}
