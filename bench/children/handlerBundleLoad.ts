/**
 * The deployed handler bundle's own load: `require` of the CommonJS file serverless-esbuild
 * builds for a function (compile and module evaluation, onnxruntime not included), in a fresh
 * process, as Lambda's runtime loads it at init.
 *
 * With `preload`, the Node builtins named there are required first and timed apart: what is
 * left is the bundle's code alone, and the builtins' time is the floor any bundle needing
 * them pays. Without it, the child reports which builtins the require loaded.
 */
import { builtinModules, createRequire } from 'node:module';
import { benchArgs, report, sinceStart } from './common';

/** Node's list of the modules it has loaded, in order (undocumented, not in @types/node; stable since Node 0.x). */
const moduleLoadList = (): string[] => (process as unknown as { moduleLoadList: string[] }).moduleLoadList;

const args = benchArgs<{ bundle: string; preload?: string[] }>();
const load = createRequire(args.bundle);
const loadedBefore = new Set(moduleLoadList());
const builtinsStarted = sinceStart();
for (const name of args.preload ?? []) load(`node:${name}`);
const started = sinceStart();
load(args.bundle);
const loaded = sinceStart();
const native = Object.keys(load.cache).filter((k) => k.includes('onnxruntime-node')).length;
report({
  elapsedMs: loaded - started,
  builtinsMs: started - builtinsStarted,
  bootMs: builtinsStarted,
  onnxruntimeModulesLoaded: native,
  builtinsLoaded: builtinsLoadedSince(loadedBefore),
});

/** Public builtins (`NativeModule fs/promises` in Node's load list) loaded since `before`. */
function builtinsLoadedSince(before: ReadonlySet<string>): string[] {
  return moduleLoadList()
    .filter((entry) => !before.has(entry) && entry.startsWith('NativeModule '))
    .map((entry) => entry.slice('NativeModule '.length))
    .filter((name) => builtinModules.includes(name));
}
