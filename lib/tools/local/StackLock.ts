import { NamedError } from '../../core/errors';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ENV } from '../../core/config/env';

export class StackLockedError extends NamedError {
  constructor(
    message: string,
    readonly pid: number,
  ) {
    super(message);
  }
}

/** Is a process with this pid alive? (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid a lock file names, when that process still runs. */
export function lockHolder(file: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(file, 'utf8').trim());
  } catch {
    return undefined;
  }
  return Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && alive(pid) ? pid : undefined;
}

/**
 * One local stack per folder: two would share the S3 data, the weights cache and the function
 * build. The lock is a file holding the owner's pid; one whose process is gone is taken over.
 */
export class StackLock {
  private held = false;

  constructor(readonly file: string) {}

  acquire(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        // `wx`: fails when the file exists, so two starts at once cannot both win.
        writeFileSync(this.file, `${process.pid}\n`, { flag: 'wx' });
        this.held = true;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const pid = lockHolder(this.file);
      if (pid !== undefined) {
        throw new StackLockedError(
          `another local stack (pid ${pid}) is using ${dirname(this.file)}: stop it first, or set ${ENV.localDir} to another folder`,
          pid,
        );
      }
      rmSync(this.file, { force: true }); // left by a stack that is gone
    }
    throw new Error(`cannot take the lock ${this.file}`);
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    rmSync(this.file, { force: true });
  }
}
