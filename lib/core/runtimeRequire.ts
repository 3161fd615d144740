import { createRequire } from 'node:module';

/**
 * `require` from wherever this code runs: the CommonJS handler bundle (where import.meta.url is
 * empty and the lookup paths must include NODE_PATH: the layers in /opt/nodejs/node_modules and
 * the runtime's /var/runtime/node_modules, which a dynamic `import()` would not search;
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime)
 * or ESM under tsx and vitest.
 */
export const runtimeRequire = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);
