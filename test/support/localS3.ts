import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import { withConditionalWrites } from '../../lib/tools/local/conditionalWrites';
import { S3FaultProxy } from './S3FaultProxy';

export interface LocalS3 {
  /** The S3 protocol server itself. */
  serverEndpoint: string;
  /** A counting, fault-injecting proxy in front of it: point the code under test here. */
  proxy: S3FaultProxy;
  endpoint: string;
  /** A client that talks to the proxy, configured as the code under test configures its own. */
  client: S3Client;
  /** A client straight to the server, for test setup that must not be counted. */
  setupClient: S3Client;
  put(bucket: string, key: string, body: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export const TEST_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

function client(endpoint: string): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: TEST_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A real S3-protocol server (s3rver) on a free loopback port, with a counting proxy in front. */
export async function startLocalS3(buckets: readonly string[] = ['models']): Promise<LocalS3> {
  const directory = mkdtempSync(join(tmpdir(), 'onnxless-s3-'));
  // s3rver's handler on a server of our own, with S3's conditional writes (as the local stack has them).
  const s3rver = new S3rver({ directory, silent: true });
  const server = createServer(withConditionalWrites(s3rver));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const serverEndpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const proxy = new S3FaultProxy(serverEndpoint);
  const endpoint = await proxy.start();
  const setupClient = client(serverEndpoint);
  for (const bucket of buckets) await setupClient.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    serverEndpoint,
    proxy,
    endpoint,
    client: client(endpoint),
    setupClient,
    put: async (bucket, key, body) => {
      await setupClient.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    close: async () => {
      await proxy.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
