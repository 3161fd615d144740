import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './packageRoot';

/**
 * What a new project pins, at the versions this package is built and tested with: read from
 * its own package.json when init runs, so a scaffold never drifts from what onnxless itself uses.
 */

/** Bundled into the handlers (zod) or imported by the project's code and tests (onnxruntime-node). */
export const PROJECT_DEPENDENCIES = ['zod', 'onnxruntime-node'] as const;

/** The deploy and the local stack (osls, its plugins, s3rver), the compilers and the types. */
export const PROJECT_DEV_DEPENDENCIES = [
  'osls',
  'serverless-esbuild',
  'serverless-offline',
  's3rver',
  'esbuild',
  'typescript',
  '@types/node',
  '@types/aws-lambda',
] as const;

export interface ToolVersions {
  /** This package's own version. */
  onnxless: string;
  /** The Node versions it runs on (its engines.node): the project's too. */
  node: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

interface PackageManifest {
  version?: string;
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

export function toolVersions(root = packageRoot()): ToolVersions {
  const file = join(root, 'package.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as PackageManifest;
  // A peer dependency is a range for users to satisfy; the exact version this package is tested
  // with sits in its dependencies or devDependencies, which therefore win.
  const declared = { ...manifest.peerDependencies, ...manifest.devDependencies, ...manifest.dependencies };
  const pick = (names: readonly string[]) =>
    Object.fromEntries(
      names.map((name) => {
        const version = declared[name];
        if (version === undefined) throw new Error(`${file} names no version of ${name}, which a new project pins to it`);
        return [name, version];
      }),
    );
  if (manifest.version === undefined) throw new Error(`${file} has no version`);
  return {
    onnxless: manifest.version,
    node: manifest.engines?.node ?? '>=22',
    dependencies: pick(PROJECT_DEPENDENCIES),
    devDependencies: pick(PROJECT_DEV_DEPENDENCIES),
  };
}
