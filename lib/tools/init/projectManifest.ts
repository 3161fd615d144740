import type { ToolVersions } from './toolVersions';

/**
 * The new project's package.json. Written from code, not copied: its versions come from this
 * package's own (toolVersions.ts), and a template folder without a package.json lets the
 * template's TypeScript resolve `onnxless/*` to this package while it is developed here.
 */
export function projectManifest(name: string, onnxless: string, versions: ToolVersions): string {
  const manifest = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    // Node's own test runner strips the tests' types from 22.18 on; onnxless asks at least as much.
    engines: { node: versions.node },
    scripts: {
      start: 'onnxless start',
      // Node's own runner finds test/*.test.ts and strips their types: no test dependency at all.
      test: 'node --test',
      package: 'serverless package',
      deploy: 'serverless deploy',
    },
    dependencies: sorted({ onnxless, ...versions.dependencies }),
    devDependencies: sorted(versions.devDependencies),
    // npm 11 runs only the install scripts listed true: esbuild checks its binary; onnxruntime-node's
    // would download CUDA libraries (the CPU build ships in the package); the others only print.
    allowScripts: { esbuild: true, 'onnxruntime-node': false, protobufjs: false, 'es5-ext': false },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
