import { spawn } from 'node:child_process';
import { ENV, optionalString, type Env } from '../../core/config/env';

/**
 * The npm that runs this command (`npm create`, `npx`: npm_execpath names its CLI script),
 * else the `npm` on PATH. The same one, so the install honours the version and settings the
 * user started with.
 */
export function npmCommand(env: Env = process.env): { command: string; args: string[] } {
  const execPath = optionalString(ENV.npmExecPath, env);
  if (execPath && /\.[cm]?js$/.test(execPath)) return { command: process.execPath, args: [execPath] };
  if (execPath) return { command: execPath, args: [] };
  return { command: process.platform === 'win32' ? 'npm.cmd' : 'npm', args: [] };
}

/**
 * `npm install` in the new project, its output on this terminal. --prefer-offline: what the
 * cache holds (onnxless's own dependencies, just installed by npx) is not fetched again.
 */
export async function installDependencies(dir: string): Promise<void> {
  const { command, args } = npmCommand();
  const child = spawn(command, [...args, 'install', '--prefer-offline'], {
    cwd: dir,
    stdio: 'inherit',
    // npm.cmd is a batch file: Windows runs those through a shell only.
    shell: process.platform === 'win32' && command.endsWith('.cmd'),
  });
  const code = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('exit', done);
  }).catch((err: Error) => {
    throw new Error(`cannot run npm install in ${dir}: ${err.message}`, { cause: err });
  });
  if (code !== 0)
    throw new Error(
      `npm install failed in ${dir} (exit code ${code}): the project is written; run npm install there once the cause above is fixed`,
    );
}
