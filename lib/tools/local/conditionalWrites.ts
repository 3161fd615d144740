import type { IncomingMessage, ServerResponse } from 'node:http';
import type S3rver from 's3rver';

type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * s3rver's request handler with S3's conditional writes, which s3rver 3.7 does not have: it
 * honours `If-None-Match` on GET (a 304) but stores a PUT whatever its `If-Match` or
 * `If-None-Match` says, so two `onnxless push --repository` at once would each overwrite the
 * other's index. Here, as S3 does (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html):
 * - `If-None-Match: *`: stored only when no object has the key, else 412 PreconditionFailed;
 * - `If-Match: <etag>`: stored only when the object's ETag is that one, else 412; no object at
 *   all, 404 NoSuchKey.
 * Conditional PUTs of one key are taken one at a time, the check and the write together, so two
 * writers holding the same ETag cannot both pass; a GET or HEAD of that key meanwhile waits its
 * turn. Other requests go to s3rver untouched.
 */
export function withConditionalWrites(s3rver: S3rver): RequestHandler {
  const handle = s3rver.callback();
  const queues = new Map<string, Promise<void>>();
  // Keys ever written conditionally (the repositories' indexes): their reads take turns with their writes.
  const guarded = new Set<string>();
  return (req, res) => {
    const ifMatch = headerOf(req, 'if-match');
    const ifNoneMatch = headerOf(req, 'if-none-match');
    const target = objectOf(req.url ?? '/');
    const key = target && `${target.bucket}/${target.key}`;
    const conditional = req.method === 'PUT' && (ifMatch !== undefined || ifNoneMatch !== undefined);
    // A read of a key written conditionally takes its turn with the writes: s3rver writes the file
    // in place, and a read in between would see half an index, where S3 shows the old or the new object.
    const waits = key !== undefined && (conditional || ((req.method === 'GET' || req.method === 'HEAD') && guarded.has(key)));
    if (!target || !key || !waits) return handle(req, res);
    if (conditional) guarded.add(key);
    const turn = (queues.get(key) ?? Promise.resolve()).then(() =>
      conditional ? conditionalPut(s3rver, target, { ifMatch, ifNoneMatch }, req, res, handle) : passOn(req, res, handle),
    );
    queues.set(key, turn);
    void turn.finally(() => queues.get(key) === turn && queues.delete(key));
  };
}

function passOn(req: IncomingMessage, res: ServerResponse, handle: RequestHandler): Promise<void> {
  const done = new Promise<void>((resolve) => res.once('close', resolve));
  handle(req, res);
  return done;
}

async function conditionalPut(
  s3rver: S3rver,
  target: { bucket: string; key: string },
  conditions: { ifMatch?: string; ifNoneMatch?: string },
  req: IncomingMessage,
  res: ServerResponse,
  handle: RequestHandler,
): Promise<void> {
  const done = new Promise<void>((resolve) => res.once('close', resolve));
  const etag = await s3rver.store.getMetadata(target.bucket, target.key).then(
    (meta) => meta.etag,
    () => undefined,
  );
  const refusal = refusalOf(conditions, etag);
  if (refusal) {
    // Read to its end, then refused: a client still sending gets the answer, not a broken pipe.
    req.resume().once('end', () => answer(res, refusal));
    return done;
  }
  handle(req, res);
  await done;
  await flushed(s3rver, target, Number(req.headers['content-length']));
}

/**
 * s3rver answers a PUT once its hashing stream has seen the body, before its file stream has
 * written it all (stores/filesystem.js resolves on the transform's `finish`): a GET right after
 * read half an index in the tests. The key's next turn waits until the file holds every byte.
 */
async function flushed(s3rver: S3rver, target: { bucket: string; key: string }, length: number): Promise<void> {
  if (!Number.isSafeInteger(length)) return;
  for (let tries = 0; tries < 200; tries++) {
    const size = await s3rver.store.getMetadata(target.bucket, target.key).then(
      (meta) => Number(meta['content-length']),
      () => undefined,
    );
    if (size === undefined || size >= length) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

type Refusal = { status: number; code: string; message: string };

function refusalOf(conditions: { ifMatch?: string; ifNoneMatch?: string }, etag: string | undefined): Refusal | undefined {
  const { ifMatch, ifNoneMatch } = conditions;
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') return { status: 501, code: 'NotImplemented', message: "If-None-Match on a write takes '*' only" };
    if (etag !== undefined)
      return { status: 412, code: 'PreconditionFailed', message: 'At least one of the pre-conditions you specified did not hold' };
  }
  if (ifMatch !== undefined) {
    if (etag === undefined) return { status: 404, code: 'NoSuchKey', message: 'The specified key does not exist.' };
    if (unquoted(ifMatch) !== unquoted(etag)) {
      return { status: 412, code: 'PreconditionFailed', message: 'At least one of the pre-conditions you specified did not hold' };
    }
  }
  return undefined;
}

function answer(res: ServerResponse, refusal: Refusal): void {
  res.writeHead(refusal.status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code><Message>${refusal.message}</Message></Error>`);
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `/bucket/key...` (path-style, as the local clients address it), decoded; undefined for a bucket alone. */
function objectOf(url: string): { bucket: string; key: string } | undefined {
  const path = url.split('?')[0] ?? '/';
  const match = /^\/([^/]+)\/(.+)$/.exec(path);
  if (!match) return undefined;
  try {
    return { bucket: decodeURIComponent(match[1] as string), key: decodeURIComponent(match[2] as string) };
  } catch {
    return undefined;
  }
}

function unquoted(etag: string): string {
  return etag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
}
