#!/usr/bin/env node
// The CLI as it ships: compiled JavaScript (npm run build), no TypeScript compiled at run time.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/onnxless.mjs', import.meta.url);
if (!existsSync(cli)) {
  // Only a checkout of the onnxless repository can lack it: an installed package ships dist/.
  console.error('onnxless: dist/onnxless.mjs is missing; in a checkout of onnxless, run npm run build');
  process.exit(1);
}
await import(cli.href);
