import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/core/config/env';
import { emulatedFunctionSettings } from '../../../lib/tools/local/emulatedFunctions';
import { localStackSettings } from '../../../lib/tools/local/localStack';
import { StackLock, StackLockedError } from '../../../lib/tools/local/StackLock';
import { tempDir } from '../../support/testHandler';

describe('the local stack folder lock', () => {
  it('is held by one stack at a time and released on stop', () => {
    const file = join(tempDir(), 'stack.lock');
    const lock = new StackLock(file);
    lock.acquire();
    expect(readFileSync(file, 'utf8').trim()).toBe(String(process.pid));
    // Another live process holds it: the parent of this test process stands in for one.
    writeFileSync(file, `${process.ppid}\n`);
    expect(() => new StackLock(file).acquire()).toThrow(StackLockedError);
    expect(() => new StackLock(file).acquire()).toThrow(new RegExp(`pid ${process.ppid}`));
    writeFileSync(file, `${process.pid}\n`);
    lock.release();
    expect(existsSync(file)).toBe(false);
  });

  it('is taken over from a stack that is gone', () => {
    const file = join(tempDir(), 'stack.lock');
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    writeFileSync(file, gone.stdout);
    const lock = new StackLock(file);
    lock.acquire();
    expect(readFileSync(file, 'utf8').trim()).toBe(String(process.pid));
    lock.release();
  });
});

describe('settings of the local stack', () => {
  it('gives the emulated functions its own cache folder, or ONNXLESS_CACHE_DIR, and its own build folder', () => {
    const dir = tempDir();
    const own = emulatedFunctionSettings(dir, { ONNXLESS_LOCAL_DIR: join(dir, 'local') });
    expect(own.environment.ONNXLESS_CACHE_DIR).toBe(join(dir, 'local', 'cache'));
    expect(own.environment.NODE_PATH).toMatch(/node_modules$/);
    expect(own.esbuildWorkFolder).toBe(join('local', 'build'));
    const chosen = emulatedFunctionSettings(dir, {
      ONNXLESS_LOCAL_DIR: join(dir, 'local'),
      ONNXLESS_CACHE_DIR: '/elsewhere',
      ONNXLESS_LOG_FORMAT: 'compact',
    });
    expect(chosen.environment).toMatchObject({ ONNXLESS_CACHE_DIR: '/elsewhere', ONNXLESS_LOG_FORMAT: 'compact' });
  });

  it('refuses a port that is not one, naming the variable', () => {
    expect(localStackSettings({ ONNXLESS_LOCAL_HTTP_PORT: '8080' }).httpPort).toBe(8080);
    expect(() => localStackSettings({ ONNXLESS_LOCAL_S3_PORT: '70000' })).toThrow(ConfigError);
    expect(() => localStackSettings({ ONNXLESS_LOCAL_S3_PORT: 'abc' })).toThrow(/ONNXLESS_LOCAL_S3_PORT/);
  });
});
