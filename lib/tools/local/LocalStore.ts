import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { CreateBucketCommand, HeadBucketCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { ENV } from '../../core/config/env';
import { parseS3Uri, type Registry } from '../../core/registry';
import { servedModelWeights } from '../../core/registry/servedModels';
import { createS3Client } from '../../core/sources/s3Client';
import { MANIFEST_NAME } from '../../core/sources/ModelManifest';
import { inspectModel } from '../store/inspectModel';
import { pushModel } from '../store/pushModel';
import type { ModelFileSource } from '../store/inspectModel';
import { LOCAL_STACK, PORT_VARIABLES, localS3Endpoint, localS3Env, type LocalStackSettings } from './localStack';
import { assertPortFree } from './portCheck';
import { withConditionalWrites } from './conditionalWrites';
import { sigV4Refusal } from './sigV4Request';

export type SeedOutcome = { model: string; state: 'present' | 'uploaded' | 'missing' };

/**
 * The embedded S3-protocol server of the local stack, its data kept in .local/s3 across runs.
 *
 * Only the stack's own clients may change it. s3rver takes any unsigned request and checks no
 * SigV4 signature, so a web page the developer opens could write their models with a plain HTML
 * form POST (a "simple" cross-site request, sent without asking). In front of it: a request
 * other than GET or HEAD must carry an Authorization header SigV4-signed with this stack's
 * credentials (which no cross-site request can), and a CORS preflight is refused outright.
 */
export class LocalStore {
  private server?: Server;
  readonly client: S3Client;

  constructor(private readonly stack: LocalStackSettings = LOCAL_STACK) {
    this.client = createS3Client(localS3Env(stack));
  }

  async start(): Promise<string> {
    const { s3Port, dataDir, accessKeyId, secretAccessKey } = this.stack;
    // s3rver leaves a listen error to an 'error' event nobody can subscribe to: a stack trace.
    await assertPortFree(s3Port, 'local S3 server', PORT_VARIABLES.s3Port);
    await mkdir(dataDir, { recursive: true });
    Object.assign(process.env, { [ENV.accessKeyId]: accessKeyId, [ENV.secretAccessKey]: secretAccessKey });
    // s3rver's request handler (its documented `callback()`) behind the guard, on a server of our own.
    // With S3's conditional writes, which s3rver lacks (conditionalWrites.ts).
    const s3 = withConditionalWrites(new S3rver({ directory: dataDir, silent: true }));
    const credentials = { accessKeyId, secretAccessKey };
    const server = createServer((req, res) => {
      const refusal = storeRefusal(req, credentials);
      if (refusal === undefined) s3(req, res);
      // Read to its end, then refused: a client still sending gets the 403, not a broken pipe.
      else req.resume().once('end', () => refuse(res, refusal));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(s3Port, '127.0.0.1', () => resolve());
    }).catch((err: Error) => {
      throw new Error(`cannot start the local S3 server on port ${s3Port}: ${err.message} (set ${PORT_VARIABLES.s3Port} to use another)`);
    });
    this.server = server;
    return localS3Endpoint(this.stack);
  }

  /** Idempotent: Ctrl-C and the emulator's exit both ask for it. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async ensureBucket(bucket: string): Promise<void> {
    const exists = await this.client.send(new HeadBucketCommand({ Bucket: bucket })).then(
      () => true,
      () => false,
    );
    if (!exists) await this.client.send(new CreateBucketCommand({ Bucket: bucket }));
  }

  /**
   * Upload each registered model whose object is missing and that `sources` has files for (the
   * project's models/ folders, the examples); a second start uploads nothing.
   */
  async seed(registry: Registry, sources: Readonly<Record<string, readonly ModelFileSource[]>>): Promise<SeedOutcome[]> {
    await this.ensureBucket(registry.bucket.name);
    const outcomes: SeedOutcome[] = [];
    for (const [model, entry] of servedModelWeights(registry)) {
      const { bucket, key } = parseS3Uri(entry.weights);
      await this.ensureBucket(bucket);
      // A model directory is present once its manifest is: it is uploaded last.
      const probe = key.endsWith('/') ? `${key}${MANIFEST_NAME}` : key;
      const head = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: probe })).catch(() => undefined);
      // An example seeded by an older onnxless (another manifest, e.g. without its pre-optimised
      // graph) no longer matches the pin the registry now carries: it is pushed again.
      // Own keys only: a model named `constructor` has no files because Object.prototype has one.
      const files = Object.hasOwn(sources, model) ? sources[model] : undefined;
      const stale = head !== undefined && entry.sha256 !== undefined && files !== undefined && head.Metadata?.sha256 !== entry.sha256;
      if (head && !stale) {
        outcomes.push({ model, state: 'present' });
        continue;
      }
      if (!files || !key.endsWith('/')) {
        outcomes.push({ model, state: 'missing' });
        continue;
      }
      await pushModel(this.client, await inspectModel(files, `example '${model}'`), { bucket, prefix: key });
      outcomes.push({ model, state: 'uploaded' });
    }
    return outcomes;
  }
}

/** Why the local S3 server refuses a request before s3rver sees it; undefined: s3rver answers it. */
function storeRefusal(req: IncomingMessage, credentials: { accessKeyId: string; secretAccessKey: string }): string | undefined {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method === 'OPTIONS') return 'the local S3 server answers no CORS preflight: no web page may call it';
  if (method === 'GET' || method === 'HEAD') return undefined;
  return sigV4Refusal(req, credentials);
}

/** S3's own form of a refusal: 403 AccessDenied, as XML. */
function refuse(res: ServerResponse, why: string): void {
  const message = why.replace(/[<>&]/g, '');
  res.writeHead(403, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>${message}</Message></Error>`);
}
