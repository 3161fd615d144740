import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

type Handler = (event: unknown, context?: { awsRequestId?: string; getRemainingTimeInMillis?: () => number }) => Promise<unknown>;

export interface LocalLambdaEndpoint {
  endpoint: string;
  /** Every invoke received: the function named, its qualifier, the invocation type and the payload. */
  invokes: Array<{ functionName: string; qualifier: string | null; invocationType: string | null; payload: unknown }>;
  /** Runs started by Event invokes, settled or not: await them to see a job through. */
  runs: Promise<unknown>[];
  /** The next `n` Event invokes are queued (202) and never run: an event Lambda gave up on. */
  loseEvents(n: number): void;
  close(): Promise<void>;
}

/**
 * Lambda's Invoke API (POST /2015-03-31/functions/{name}/invocations) over real HTTP, as
 * serverless-offline's Lambda endpoint serves it on the local stack: `X-Amz-Invocation-Type:
 * Event` answers 202 at once and runs the handler afterwards; the SDK's LambdaClient talks to it
 * through AWS_ENDPOINT_URL_LAMBDA. One handler per function name.
 */
export async function startLocalLambdaEndpoint(functions: Record<string, Handler>): Promise<LocalLambdaEndpoint> {
  const invokes: LocalLambdaEndpoint['invokes'] = [];
  const runs: Promise<unknown>[] = [];
  let lose = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
      const functionName = decodeURIComponent(match?.[1] ?? '');
      const handler = functions[functionName];
      if (!match || !handler) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ Message: `Function not found: ${functionName}` }));
        return;
      }
      const payload = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown;
      const invocationType = req.headers['x-amz-invocation-type']?.toString() ?? null;
      invokes.push({ functionName, qualifier: url.searchParams.get('Qualifier'), invocationType, payload });
      const context = { awsRequestId: `local-${invokes.length}`, getRemainingTimeInMillis: () => 60_000 };
      if (invocationType === 'Event') {
        res.writeHead(202).end();
        if (lose > 0) {
          lose--;
          return;
        }
        runs.push(new Promise((resolve) => setImmediate(resolve)).then(() => handler(payload, context)));
        return;
      }
      handler(payload, context).then(
        (out) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out ?? null)),
        (err: Error) => res.writeHead(200, { 'x-amz-function-error': 'Unhandled' }).end(JSON.stringify({ errorMessage: err.message })),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    invokes,
    runs,
    loseEvents: (n) => {
      lose += n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
