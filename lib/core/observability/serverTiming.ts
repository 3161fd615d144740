import { PHASES, type PhaseDurations } from './records';

/**
 * The `Server-Timing` header (W3C Server Timing) for a request's phases, so a caller (and the
 * browser's devtools) sees where the time went: `load;dur=812.4, inference;dur=5.1, total;dur=820`.
 */
export function serverTimingHeader(durations: PhaseDurations): string {
  const parts: string[] = [];
  for (const phase of PHASES) {
    const ms = durations[phase];
    if (ms !== undefined) parts.push(`${phase};dur=${ms.toFixed(1)}`);
  }
  parts.push(`total;dur=${durations.total.toFixed(1)}`);
  return parts.join(', ');
}
