import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

// A path, not a version or a dist-tag: `./onnxless`, `../../x.tgz`, `/abs`, `C:\x`, `file:...` (`~0.2` is a range).
const LOOKS_LIKE_PATH = /^(?:\.{1,2}(?:[/\\]|$)|[/\\]|[A-Za-z]:[/\\]|file:)|\.(?:tgz|tar\.gz)$/;
// What npm takes as a version: `0.2.0`, `^0.2.0`, `>=0.2 <1`, `latest`, `next`.
const VERSION_OR_TAG = /^[\w.^~<>=| *-]+$/;

/**
 * What a new project's package.json names for onnxless: `^<this version>` (so `npm update`
 * upgrades it), or `--onnxless <spec>`: a version, or a folder or tarball, written as
 * `file:<absolute path>` so the project installs the same thing wherever npm runs in it.
 */
export function onnxlessDependency(spec: string | undefined, ownVersion: string, cwd = process.cwd()): string {
  if (spec === undefined) return `^${ownVersion}`;
  const path = spec.startsWith('file:') ? spec.slice('file:'.length) : spec;
  if (LOOKS_LIKE_PATH.test(spec) || existsSync(resolve(cwd, path))) {
    const absolute = isAbsolute(path) ? path : resolve(cwd, path);
    if (!existsSync(absolute)) throw new Error(`--onnxless '${spec}': no such folder or tarball (${absolute})`);
    return `file:${absolute}`;
  }
  if (!VERSION_OR_TAG.test(spec)) throw new Error(`--onnxless '${spec}': expected a version (0.2.0), a folder or a .tgz tarball`);
  return spec;
}
