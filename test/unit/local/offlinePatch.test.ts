import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OFFLINE_EDITS, offlineFileOf, patchOfflineSource } from '../../../lib/tools/local/offlinePatch';

// The installed serverless-offline, as a user's project installs it: no install-time patch.
const offlineRoot = fileURLToPath(new URL('../../../node_modules/serverless-offline/', import.meta.url));
const source = (file: string) => readFileSync(path.join(offlineRoot, file.replace(/^serverless-offline\//, '')), 'utf8');

describe("serverless-offline's corrections, made as its modules load", () => {
  it('makes every edit on the installed version, each exactly once', () => {
    for (const [file, edits] of Object.entries(OFFLINE_EDITS)) {
      const patched = patchOfflineSource(file, source(file));
      for (const edit of edits) {
        expect([file, edit.why, patched.includes(edit.replace)]).toEqual([file, edit.why, true]);
        expect([file, edit.why, patched.includes(edit.find)]).toEqual([file, edit.why, edit.replace.includes(edit.find)]);
      }
    }
  });

  it('encodes request bodies as an HTTP API does: text types as UTF-8, everything else base64', async () => {
    const file = 'serverless-offline/src/utils/index.js';
    const patched = patchOfflineSource(file, source(file));
    const body = patched.slice(patched.indexOf('export function detectEncoding'), patched.indexOf('export function nullIfEmpty'));
    const detectEncoding = new Function(`${body.replace('export ', '')}; return detectEncoding;`)() as (r: {
      headers: Record<string, string>;
    }) => string;
    expect(detectEncoding({ headers: {} })).toBe('binary');
    expect(detectEncoding({ headers: { 'content-type': 'application/json; charset=utf-8' } })).toBe('utf8');
    expect(detectEncoding({ headers: { 'content-type': 'text/plain' } })).toBe('utf8');
    expect(detectEncoding({ headers: { 'content-type': 'application/x-www-form-urlencoded' } })).toBe('binary');
    expect(detectEncoding({ headers: { 'content-type': 'image/png' } })).toBe('binary');
  });

  it('fails naming the file and the edit when an upgrade moved its anchor', () => {
    const file = 'serverless-offline/src/events/http/HttpServer.js';
    expect(() => patchOfflineSource(file, 'export default class HttpServer {}')).toThrow(
      /cannot apply "a failed invocation answered 502" to serverless-offline\/src\/events\/http\/HttpServer\.js: .*install that version/,
    );
  });

  it('touches only the files it corrects', () => {
    expect(offlineFileOf('file:///p/node_modules/serverless-offline/src/utils/index.js')).toBe('serverless-offline/src/utils/index.js');
    expect(offlineFileOf('file:///p/node_modules/other/src/utils/index.js')).toBeUndefined();
    expect(patchOfflineSource('serverless-offline/src/other.js', 'unchanged')).toBe('unchanged');
  });
});
