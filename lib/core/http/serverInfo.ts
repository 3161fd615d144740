// The bundler inlines just this field at build time: deployed functions report the version they
// were built from, with no file read at start-up.
import { version } from '../../../package.json';

/** `GET /v2`: the OIP server metadata. */
export const SERVER_INFO = Object.freeze({
  name: 'onnxless',
  version,
  extensions: ['binary_tensor_data', 'classification'],
});
