import { readFileSync } from 'node:fs';

function packageVersion(): string {
  try {
    const url = new URL('../../package.json', import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    // Bundled into a Lambda zip there is no package.json beside us.
    return process.env.ONNXLESS_VERSION ?? '0.1.0';
  }
}

/** `GET /v2`: the OIP server metadata. */
export const SERVER_INFO = Object.freeze({
  name: 'onnxless',
  version: packageVersion(),
  extensions: ['binary_tensor_data'],
});
