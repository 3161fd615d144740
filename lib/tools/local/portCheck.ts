import { NamedError } from '../../core/errors';
import { createServer } from 'node:net';

export class PortTakenError extends NamedError {}

/**
 * Fails, naming the variable to set, when something already listens on the port. Checked before
 * the servers start: s3rver and serverless-offline report a taken port as a stack trace or not at all.
 */
export function assertPortFree(port: number, what: string, variable: string, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EACCES'
          ? new PortTakenError(
              `port ${port} (${what}) is ${err.code === 'EACCES' ? 'not allowed' : 'taken'}: set ${variable} to a free port`,
            )
          : err,
      );
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
