import { stripVTControlCharacters } from 'node:util';
import type { LogFormat } from '../../core/observability/sinkFromEnv';

/** What serverless-offline prints that a terminal user does not need (the functions log their own line). */
const NOISE = [
  /^\s*│.*│\s*$/, // the route box
  /^\s*[┌└├].*[┐┘┤]\s*$/,
  /^\s*(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) \| http:\/\/\S+\s*$/, // one route per line
  /^\s*(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) \/\S* \(λ: [^)]+\)\s*$/, // each request, before it runs
  /^\s*\(λ: [^)]+\) RequestId: \S+ {2}Duration: .*$/, // and after
  /^\s*POST \| http:\/\/localhost:\d+\/2015-03-31\/functions\/.*$/,
  /^\s*Invoke \(λ: .*$/,
  /^Function names exposed for local invocation/, // and one `* name: function` line each
  /^\s+\* [\w-]+: \S+$/,
];

/**
 * Passes serverless-offline's output through; in compact mode without the lines it prints for
 * every route and every request. Errors, warnings and the ready line always pass.
 */
export function offlineOutputFilter(format: LogFormat): (text: string) => string {
  if (format === 'json') return (text) => text;
  // Chunks end anywhere: a line is judged once it is whole.
  let partial = '';
  return (text) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    return lines
      .filter((line) => !NOISE.some((re) => re.test(stripVTControlCharacters(line))))
      .map((line) => `${line}\n`)
      .join('');
  };
}
