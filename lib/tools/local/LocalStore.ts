import { mkdir } from 'node:fs/promises';
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

export type SeedOutcome = { model: string; state: 'present' | 'uploaded' | 'missing' };

/** The embedded S3-protocol server of the local stack, its data kept in .local/s3 across runs. */
export class LocalStore {
  private server?: S3rver;
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
    this.server = new S3rver({ port: s3Port, address: '127.0.0.1', directory: dataDir, silent: true });
    await this.server.run().catch((err: Error) => {
      throw new Error(`cannot start the local S3 server on port ${s3Port}: ${err.message} (set ${PORT_VARIABLES.s3Port} to use another)`);
    });
    return localS3Endpoint(this.stack);
  }

  /** Idempotent: Ctrl-C and the emulator's exit both ask for it. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.close();
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
