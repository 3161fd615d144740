#!/usr/bin/env node
// The CLI is TypeScript; tsx compiles it on the fly so users run `npx onnxless` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../lib/cli/main.ts');
await main(process.argv);
