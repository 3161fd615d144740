import { readFileSync } from 'node:fs';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';

/**
 * Proof that this machine, since it booted, hashed a set of cached files and found them equal to
 * their pin: written after that full verification, it names each file's identity. A later
 * process (a restart in the same Lambda sandbox) trusts the files without hashing them again
 * while every identity still matches.
 *
 * Why that is enough: the identity includes ctime, which the kernel sets on every change to a
 * file's bytes or metadata and no unprivileged process can set back (utimes(2) moves mtime,
 * never ctime), plus inode, device, size and mtime. Any rewrite after the hash (in place, by
 * rename, by truncation) changes it and the files are hashed again. The boot id ties the marker
 * to this boot of this machine: a cache volume moved to another host, or read after a reboot,
 * is hashed again. What it does not cover: a process with root in the same machine (it could
 * set the clock, or simply patch the handler in memory: no hash defends against that), silent
 * media corruption below the file system, and a hostile process that can write the cache (it
 * could rewrite the marker as easily as the files): a marker is not a signature.
 */
export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

interface Marker {
  bootId: string;
  sha256: string;
  files: Record<string, FileIdentity>;
}

let bootId: string | undefined;

/** This kernel boot's id (Linux); '' elsewhere, where no marker is ever trusted. */
function currentBootId(): string {
  if (bootId === undefined) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootId = '';
    }
  }
  return bootId;
}

async function identity(path: string): Promise<FileIdentity> {
  const s = await stat(path);
  return { dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs };
}

/** Record that `paths` were just hashed and matched `sha256` (the pin). Atomic: temp file, then rename. */
export async function writeVerifiedMarker(marker: string, paths: readonly string[], sha256: string): Promise<void> {
  const id = currentBootId();
  if (!id) return;
  const files: Record<string, FileIdentity> = {};
  for (const path of paths) files[path] = await identity(path);
  const temp = `${marker}.partial-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await writeFile(temp, JSON.stringify({ bootId: id, sha256, files } satisfies Marker));
  await rename(temp, marker);
}

/** True when the marker vouches for exactly these files, unchanged, for this pin, in this boot. */
export async function verifiedMarkerHolds(marker: string, paths: readonly string[], sha256: string): Promise<boolean> {
  const id = currentBootId();
  if (!id) return false;
  try {
    const m = JSON.parse(await readFile(marker, 'utf8')) as Marker;
    if (m.bootId !== id || m.sha256 !== sha256 || Object.keys(m.files).length !== paths.length) return false;
    for (const path of paths) {
      const want = m.files[path];
      const got = await identity(path);
      if (
        !want ||
        want.dev !== got.dev ||
        want.ino !== got.ino ||
        want.size !== got.size ||
        want.mtimeMs !== got.mtimeMs ||
        want.ctimeMs !== got.ctimeMs
      )
        return false;
    }
    return true;
  } catch {
    return false;
  }
}
