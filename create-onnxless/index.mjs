#!/usr/bin/env node
// `npm create onnxless@latest my-api` runs this: `onnxless init my-api`, from the onnxless this
// package depends on, with the same arguments. All the work (and its options) is the CLI's.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// onnxless's package.json, looked up where require would look: a package's `exports` may leave
// package.json out, and require.resolve would then refuse to name it.
const require = createRequire(import.meta.url);
const manifestPath = (require.resolve.paths('onnxless') ?? [])
  .map((dir) => join(dir, 'onnxless', 'package.json'))
  .find((path) => existsSync(path));
if (!manifestPath) throw new Error('create-onnxless: onnxless is not installed beside it; reinstall create-onnxless');
/** @type {{ bin?: string | Record<string, string> }} */
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.onnxless;
if (!bin) throw new Error(`create-onnxless: ${manifestPath} declares no onnxless command`);

const child = spawn(process.execPath, [join(dirname(manifestPath), bin), 'init', ...process.argv.slice(2)], { stdio: 'inherit' });
child.once('error', (err) => {
  console.error(`create-onnxless: cannot start onnxless: ${err.message}`);
  process.exitCode = 1;
});
// Ctrl-C reaches both processes (one terminal); this one leaves with the child's status.
child.once('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
