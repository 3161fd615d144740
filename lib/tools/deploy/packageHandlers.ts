import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_HANDLERS } from './defaults';

/**
 * Writes the service's `.onnxless/handlers/<name>.js`, one per package handler: a re-export of the
 * public entry point (`export { handler } from 'onnxless/lambda/tensor'`). The bundler resolves
 * `onnxless` from the service's node_modules, so each function runs the installed version: an
 * `npm update` upgrades it with nothing to regenerate by hand. A file already current is left
 * alone (its mtime drives the emulator's reloads).
 */
export function writePackageHandlers(serviceDir: string): void {
  for (const { handler, module } of Object.values(PACKAGE_HANDLERS)) {
    const file = path.join(serviceDir, `${handler.slice(0, handler.lastIndexOf('.'))}.js`);
    const source = `// Written by the onnxless plugin at every command: the package's own handler, re-exported.\nexport { handler } from '${module}';\n`;
    let current: string | undefined;
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === source) continue;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, source);
  }
}
