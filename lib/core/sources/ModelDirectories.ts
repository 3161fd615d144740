import { join } from 'node:path';
import { FileModelSource } from './FileModelSource';
import type { ModelDirectorySource, ModelSource } from './ModelSource';
import { S3ModelSource, type S3Transport } from './S3ModelSource';

/** `s3://bucket/<model>/<version>/`: every file of the model is an object under the prefix. */
export class S3ModelDirectory implements ModelDirectorySource {
  readonly kind = 'directory' as const;
  readonly uri: string;
  readonly description: string;

  constructor(
    readonly bucket: string,
    /** Ends in `/`. */
    readonly prefix: string,
    private readonly transport?: S3Transport,
  ) {
    this.uri = `s3://${bucket}/${prefix}`;
    this.description = this.uri;
  }

  file(path: string): ModelSource {
    return new S3ModelSource(this.bucket, `${this.prefix}${path}`, this.transport);
  }
}

/** A folder on a local disk (baked into an image, a dev machine): used in place, never copied. */
export class FileModelDirectory implements ModelDirectorySource {
  readonly kind = 'directory' as const;
  readonly uri: string;
  readonly description: string;

  constructor(readonly localPath: string) {
    this.uri = `file://${localPath.endsWith('/') ? localPath : `${localPath}/`}`;
    this.description = localPath;
  }

  file(path: string): ModelSource {
    return new FileModelSource(join(this.localPath, path));
  }
}
