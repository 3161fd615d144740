import { NamedError } from '../errors';
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileModelSource } from './FileModelSource';
import { FileModelDirectory, S3ModelDirectory } from './ModelDirectories';
import type { ModelLocation } from './ModelSource';
import { S3ModelSource, type S3Transport } from './S3ModelSource';

export class InvalidModelUriError extends NamedError {
  constructor(uri: string, why: string) {
    super(`invalid model URI '${uri}': ${why}; expected s3://bucket/key, s3://bucket/prefix/ (a model directory), file:///path or a path`);
  }
}

export type ParsedModelUri = { kind: 's3'; bucket: string; key: string } | { kind: 'file'; path: string };

export function parseModelUri(uri: string): ParsedModelUri {
  if (uri.startsWith('s3://')) {
    const rest = uri.slice('s3://'.length);
    const slash = rest.indexOf('/');
    if (slash <= 0) throw new InvalidModelUriError(uri, 'no bucket');
    const key = rest.slice(slash + 1);
    if (key === '' || key === '/') throw new InvalidModelUriError(uri, 'no key');
    return { kind: 's3', bucket: rest.slice(0, slash), key };
  }
  if (uri.startsWith('file://')) return { kind: 'file', path: fileURLToPath(uri) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) throw new InvalidModelUriError(uri, 'unsupported scheme');
  if (uri.trim() === '') throw new InvalidModelUriError(uri, 'empty');
  return { kind: 'file', path: isAbsolute(uri) ? uri : resolve(uri) };
}

/**
 * The model `uri` names. An S3 key ending in `/` is a model directory (its manifest at
 * `<prefix>manifest.json`); a local path is one when it ends in `/` or is a folder on disk.
 */
export function modelSourceFor(uri: string, s3?: S3Transport): ModelLocation {
  const parsed = parseModelUri(uri);
  if (parsed.kind === 's3') {
    return parsed.key.endsWith('/')
      ? new S3ModelDirectory(parsed.bucket, parsed.key, s3)
      : new S3ModelSource(parsed.bucket, parsed.key, s3);
  }
  return uri.endsWith('/') || isFolder(parsed.path) ? new FileModelDirectory(parsed.path) : new FileModelSource(parsed.path);
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
