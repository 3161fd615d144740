import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { FileModelSource } from './FileModelSource';
import type { ModelSource } from './ModelSource';
import { S3ModelSource } from './S3ModelSource';

export class InvalidModelUriError extends Error {
  constructor(uri: string, why: string) {
    super(`invalid model URI '${uri}': ${why}; expected s3://bucket/key, file:///path or a path`);
    this.name = 'InvalidModelUriError';
  }
}

export type ParsedModelUri = { kind: 's3'; bucket: string; key: string } | { kind: 'file'; path: string };

export function parseModelUri(uri: string): ParsedModelUri {
  if (uri.startsWith('s3://')) {
    const rest = uri.slice('s3://'.length);
    const slash = rest.indexOf('/');
    if (slash <= 0) throw new InvalidModelUriError(uri, 'no bucket');
    const key = rest.slice(slash + 1);
    if (key === '') throw new InvalidModelUriError(uri, 'no key');
    return { kind: 's3', bucket: rest.slice(0, slash), key };
  }
  if (uri.startsWith('file://')) return { kind: 'file', path: fileURLToPath(uri) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) throw new InvalidModelUriError(uri, 'unsupported scheme');
  if (uri.trim() === '') throw new InvalidModelUriError(uri, 'empty');
  return { kind: 'file', path: isAbsolute(uri) ? uri : resolve(uri) };
}

export function modelSourceFor(uri: string, s3Client?: S3Client): ModelSource {
  const parsed = parseModelUri(uri);
  return parsed.kind === 's3'
    ? new S3ModelSource(parsed.bucket, parsed.key, s3Client)
    : new FileModelSource(parsed.path);
}
