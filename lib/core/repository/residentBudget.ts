/**
 * Which models to unload, or whose files to remove, to get back within a budget: least recently
 * used first, never one in use. Pure: ModelRepository keeps the state and applies the answer.
 */

/** A model holding memory (a session) or disk (its files), as the budget sees it. */
export interface Resident {
  name: string;
  /** What it holds: estimated session bytes, or bytes of files. */
  bytes: number;
  /** Larger is more recent (a counter, not a clock: two uses in one millisecond still order). */
  lastUsed: number;
  /** A request holds it (or it is loading): never chosen. */
  inUse: boolean;
}

export interface Budget {
  bytes: number;
  /** Most residents at once; undefined: no count limit. */
  count?: number;
}

/** Whether the residents fit the budget as they are. */
export function fitsBudget(residents: readonly Resident[], budget: Budget): boolean {
  return fits(
    residents.reduce((sum, r) => sum + r.bytes, 0),
    residents.length,
    budget,
  );
}

const fits = (bytes: number, count: number, budget: Budget): boolean =>
  bytes <= budget.bytes && (budget.count === undefined || count <= budget.count);

/** The residents to drop, least recently used first, until the rest fit; those in use stay even if that is not enough. */
export function overBudget(residents: readonly Resident[], budget: Budget): Resident[] {
  let bytes = residents.reduce((sum, r) => sum + r.bytes, 0);
  let count = residents.length;
  const victims: Resident[] = [];
  for (const resident of [...residents].sort((a, b) => a.lastUsed - b.lastUsed)) {
    if (fits(bytes, count, budget)) break;
    if (resident.inUse) continue;
    victims.push(resident);
    bytes -= resident.bytes;
    count -= 1;
  }
  return victims;
}

/**
 * Memory a loaded session is taken to hold: its weights (onnxruntime reads the initializers into
 * memory) and a fixed cost per session, measured at ~85 KB of RSS for a one-node graph on
 * onnxruntime-node 1.30 (200 sessions created and their RSS compared); 256 KiB leaves room for
 * a graph of a few hundred nodes.
 */
export const SESSION_OVERHEAD_BYTES = 256 * 1024;

export function sessionBytes(weightsBytes: number): number {
  return weightsBytes + SESSION_OVERHEAD_BYTES;
}

const MB = 1024 * 1024;

/** What the runtime itself takes of a function's memory before any session: Node, onnxruntime, the SDK. */
export const RUNTIME_RESERVE_MB = 512;

/**
 * The sessions' budget a function of `memoryMB` gets unless configured: its memory less the
 * runtime's reserve, and never under a quarter of it (a 512 MB function still holds models).
 */
export function defaultSessionBudgetBytes(memoryMB: number): number {
  return Math.max(memoryMB - RUNTIME_RESERVE_MB, Math.floor(memoryMB / 4)) * MB;
}

/** The files' budget in /tmp: 90 % of the ephemeral storage, the rest for downloads in flight and the runtime's own files. */
export function defaultDiskBudgetBytes(ephemeralMB: number): number {
  return Math.floor(ephemeralMB * 0.9) * MB;
}
