/**
 * The deployed handler bundle's own load: `require` of the CommonJS file serverless-esbuild
 * builds for a function (compile and module evaluation, onnxruntime not included), in a fresh
 * process, as Lambda's runtime loads it at init.
 */
import { createRequire } from 'node:module';
import { benchArgs, report, sinceStart } from './common';

const args = benchArgs<{ bundle: string }>();
const started = sinceStart();
createRequire(args.bundle)(args.bundle);
const loaded = sinceStart();
const native = Object.keys(createRequire(args.bundle).cache).filter((k) => k.includes('onnxruntime-node')).length;
report({ elapsedMs: loaded - started, bootMs: started, onnxruntimeModulesLoaded: native });
