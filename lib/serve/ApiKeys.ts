import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { UnauthorizedError } from '../core/errors';
import { ConfigError, ENV } from '../core/config/env';
import type { AuthConfig } from './configSchema';
import { headerValues } from './nodeHttp/requestHeaders';

/** Shorter keys are refused at start: a key is all that stands between the network and every route. */
export const MIN_KEY_LENGTH = 16;

const HASHED = /^sha256:([0-9a-fA-F]{64})$/;

/**
 * The keys serve accepts, held as sha256 digests only (the keys themselves are dropped once
 * hashed). A request's key is hashed and compared with every digest by `timingSafeEqual`, all of
 * them whatever matches, so neither the comparison nor a key's place in the list shows in the time
 * an answer takes.
 */
export class ApiKeys {
  private constructor(
    private readonly digests: readonly Buffer[],
    private readonly open: ReadonlySet<string>,
  ) {}

  /** The configured keys (digests, the keys file); refuses to start with none, or with a short key. */
  static async load(auth: AuthConfig): Promise<ApiKeys> {
    const digests: Buffer[] = auth.apiKeySha256.map((hex) => Buffer.from(hex, 'hex'));
    if (auth.apiKeysFile !== undefined) digests.push(...(await keysFile(auth.apiKeysFile)));
    if (digests.length === 0) {
      throw new ConfigError(
        `auth is configured but holds no key: give auth.apiKeySha256, auth.apiKeysFile, ${ENV.apiKeys} or ${ENV.apiKeysFile}`,
      );
    }
    return new ApiKeys(digests, new Set(auth.open));
  }

  /** The digest of one entry: `sha256:<hex>` as it is, a key hashed; refuses a key too short to guard anything. */
  static digestOf(entry: string, where: string): Buffer {
    const hex = HASHED.exec(entry)?.[1];
    if (hex !== undefined) return Buffer.from(hex, 'hex');
    const key = entry;
    if (key.length < MIN_KEY_LENGTH) {
      throw new ConfigError(`${where}: an API key must be at least ${MIN_KEY_LENGTH} characters (got one of ${key.length})`);
    }
    return createHash('sha256').update(key, 'utf8').digest();
  }

  get count(): number {
    return this.digests.length;
  }

  /**
   * Lets the request through when its path is open or it carries a valid key, else throws a 401.
   * Read from the raw headers: Node keeps only the first of repeated `Authorization` headers and
   * joins repeated `x-api-key` ones, where a proxy in front may have read another; a credential
   * header given twice is refused, and a request with both headers needs both valid.
   */
  check(path: string, rawHeaders: readonly string[]): void {
    if (this.open.has(path)) return;
    const presented = credentials(rawHeaders);
    if (presented.length === 0) {
      throw new UnauthorizedError('this server takes API keys: send Authorization: Bearer <key> or x-api-key: <key>');
    }
    if (!presented.every((key) => this.accepts(key))) throw new UnauthorizedError('the API key is not valid', { invalidKey: true });
  }

  private accepts(key: string): boolean {
    const digest = createHash('sha256').update(key, 'utf8').digest();
    let found = false;
    for (const known of this.digests) found = timingSafeEqual(known, digest) || found;
    return found;
  }
}

/** The keys a request presents, from `Authorization: Bearer` and `x-api-key`; 401 for a malformed or repeated one. */
function credentials(rawHeaders: readonly string[]): string[] {
  const authorization = headerValues(rawHeaders, 'authorization');
  const apiKey = headerValues(rawHeaders, 'x-api-key');
  if (authorization.length > 1 || apiKey.length > 1) {
    throw new UnauthorizedError('send one Authorization header or one x-api-key header, not several');
  }
  const keys: string[] = [];
  if (authorization[0] !== undefined) {
    // The scheme is case-insensitive (RFC 9110 11.1); the token is whatever follows it.
    const token = /^Bearer +(\S+) *$/i.exec(authorization[0])?.[1];
    if (token === undefined) throw new UnauthorizedError("Authorization must be 'Bearer <key>'", { invalidKey: true });
    keys.push(token);
  }
  if (apiKey[0] !== undefined) keys.push(apiKey[0].trim());
  return keys;
}

/** A keys file's digests: a line is a key or `sha256:<hex>` of one; blank lines and `#` comments are skipped. */
async function keysFile(path: string): Promise<Buffer[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the API keys file ${path}: ${(err as Error).message}`);
  }
  const digests: Buffer[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    digests.push(ApiKeys.digestOf(line, `${path} line ${index + 1}`));
  });
  return digests;
}
