/**
 * The module hook `onnxless start` preloads into serverless-offline's process (`--import`): it
 * makes offlinePatch.ts's edits as the emulator's files load. Synchronous hooks (Node >= 22.15)
 * apply to require() and import() alike, in this thread, with no loader worker.
 */
import { registerHooks } from 'node:module';
import { offlineFileOf, patchOfflineSource } from './offlinePatch';

registerHooks({
  load(url, context, nextLoad) {
    const result = nextLoad(url, context);
    const file = offlineFileOf(url);
    if (!file || result.source === undefined) return result;
    return { ...result, source: patchOfflineSource(file, Buffer.from(result.source as Uint8Array).toString('utf8')) };
  },
});
