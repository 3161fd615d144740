#!/usr/bin/env node
// The CLI is TypeScript; tsx compiles it on the fly so users run `npx onnxless` with no build step.
// The images run the compiled form instead (dist/onnxless.mjs, built by `npm run build:cli`).
import { register } from 'tsx/esm/api';

register();
await import('../lib/cli/run.ts');
