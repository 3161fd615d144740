import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

export interface IdleProbe {
  /** Share of all CPUs' time that was idle during the probe (1 = a quiet machine). */
  idleShare: number;
  seconds: number;
  loadAverage: number[];
  cpus: number;
}

/** CPU ticks summed over all CPUs: idle (idle + iowait) and total. Linux /proc/stat. */
function ticks(): { idle: number; total: number } | undefined {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { idle, total: fields.reduce((a, b) => a + b, 0) };
  } catch {
    return undefined;
  }
}

/**
 * How busy the machine is before the bench starts: the idle share of every CPU over a few
 * seconds of doing nothing. Other tenants' work lands in every measurement; this says how much.
 */
export async function idleProbe(seconds = 3): Promise<IdleProbe> {
  const before = ticks();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const after = ticks();
  const idleShare = before && after && after.total > before.total ? (after.idle - before.idle) / (after.total - before.total) : Number.NaN;
  return {
    idleShare: Math.round(idleShare * 1000) / 1000,
    seconds,
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    cpus: availableParallelism(),
  };
}
