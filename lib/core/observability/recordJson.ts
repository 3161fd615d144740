import type { PhaseDurations } from './records';

/**
 * Log lines and EMF documents as JSON text, written member by member: what JSON.stringify would
 * write for the same values, without building the object first.
 *
 * Numbers: most are durations in
 * milliseconds rounded to the microsecond (RequestTiming), written twice per request (the log
 * line's `durationsMs` and the document's values): for those the text is put together from the
 * whole part and a table of the 999 fractions, instead of V8's general shortest-float printing,
 * which was a visible part of a warm call's record (docs/benchmarks.md, "Figures behind the code").
 */

/** `.001` ... `.999` without trailing zeros; `''` for none. */
const FRACTIONS: readonly string[] = Array.from({ length: 1000 }, (_, i) =>
  i === 0 ? '' : `.${String(i).padStart(3, '0').replace(/0+$/, '')}`,
);

/** Below this many microseconds the whole part is an int32 (35 minutes). */
const TABLE_LIMIT = 2 ** 31;

/**
 * `value` as JSON.stringify writes it: `null` when not finite. A value that is a whole number of
 * thousandths v = n / 1000 (0 <= n < 2^31) is the double nearest that decimal, and the shortest
 * text that reads back to it is the decimal itself, whole part and trimmed fraction: nothing
 * else with at most three decimals lies within half a unit of its last place.
 */
export function numberJson(value: number): string {
  const thousandths = Math.round(value * 1000);
  if (thousandths / 1000 === value && thousandths >= 0 && thousandths < TABLE_LIMIT) {
    return `${(thousandths / 1000) | 0}${FRACTIONS[thousandths % 1000] as string}`;
  }
  return Number.isFinite(value) ? String(value) : 'null';
}

/**
 * One member `,"key":value` as JSON.stringify writes it inside an object; `''` for undefined (left
 * out). `key` is one of ours, never a caller's: written as it is.
 */
export function member(key: string, value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'number') return `,"${key}":${numberJson(value)}`;
  if (typeof value === 'boolean') return `,"${key}":${value}`;
  return `,"${key}":${JSON.stringify(value)}`;
}

/** A request's phase durations as a JSON object, in their order (`total` first, as RequestTiming makes them). */
export function durationsJson(durations: PhaseDurations): string {
  let text = '';
  for (const [phase, ms] of Object.entries(durations)) if (ms !== undefined) text += `,"${phase}":${numberJson(ms)}`;
  return `{${text.slice(1)}}`;
}

/** `000` ... `999`. */
const MILLISECONDS: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** The last second a timestamp was written in, and its text up to the milliseconds. */
let second: { value: number; text: string } | undefined;

/**
 * `new Date(now).toISOString()` for a whole number of milliseconds, its text to the second kept:
 * lines come many per second, and the Date and its formatting were over a microsecond of every
 * warm call (docs/benchmarks.md, "Figures behind the code").
 */
export function isoTimestamp(now: number): string {
  if (!Number.isInteger(now)) return new Date(now).toISOString();
  const value = Math.floor(now / 1000);
  if (second?.value !== value) second = { value, text: new Date(value * 1000).toISOString().slice(0, -4) };
  return `${second.text}${MILLISECONDS[now - value * 1000] as string}Z`;
}
