import { writeVerifiedMarker } from './verifiedMarker';

/** Beside a pinned cached file: its verified marker (verifiedMarker.ts). */
export const fileMarker = (path: string): string => `${path}.verified`;
/** Inside an assembled model directory: the marker of all its files. */
export const DIRECTORY_MARKER = '.onnxless-verified.json';

/** A marker is a shortcut: failing to write one only means the next process hashes again. */
export async function markVerified(marker: string, paths: readonly string[], sha256: string): Promise<void> {
  await writeVerifiedMarker(marker, paths, sha256).catch(() => undefined);
}
