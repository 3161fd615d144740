/** The server's log: one JSON object per line, stdout for info, stderr for warnings and errors. */
export type LogLevel = 'INFO' | 'WARN' | 'ERROR';
export type ServerLog = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

export const jsonLog: ServerLog = (level, message, fields = {}) => {
  const line = JSON.stringify({ time: new Date().toISOString(), level, message, ...fields });
  if (level === 'INFO') process.stdout.write(`${line}\n`);
  else process.stderr.write(`${line}\n`);
};

export const silentLog: ServerLog = () => undefined;

export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? ` (cause: ${err.cause.name}: ${err.cause.message})` : '';
  return `${err.name}: ${err.message}${cause}`;
}
