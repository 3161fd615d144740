import { MissingModelFileError } from '../onnx/ModelFiles';
import { readMetadataProps } from '../onnx/modelMetadataProps';
import type { LoadedModel } from '../onnx/Loader';

/**
 * The loss curve `onnxless train` writes beside `model.onnx` (`--out <dir>/model.onnx`), pushed
 * with the model directory: the playground shows it on the model's page.
 */
export const LOSS_CURVE_FILE = 'model.loss.svg';
/** Bigger than any curve the trainer draws (a few kB): anything past it is not sent. */
const MAX_LOSS_CURVE_BYTES = 256 * 1024;

/**
 * `parameters` of the model's OIP metadata, an extension field as MLServer's: the ONNX file's
 * own `metadata_props` (an exporter's notes, or the training facts `onnxless train` records:
 * optimizer, learning rate, epochs, final loss) and the loss curve when the directory holds one.
 */
export interface ModelParameters {
  metadata?: Record<string, string>;
  loss_curve_svg?: string;
}

const read = new WeakMap<LoadedModel, Promise<ModelParameters | undefined>>();

/** Read once per loaded model: the files are immutable once verified. */
export function modelParameters(loaded: LoadedModel): Promise<ModelParameters | undefined> {
  let parameters = read.get(loaded);
  if (!parameters) {
    parameters = readParameters(loaded);
    parameters.catch(() => read.delete(loaded));
    read.set(loaded, parameters);
  }
  return parameters;
}

async function readParameters({ weights, runner }: LoadedModel): Promise<ModelParameters | undefined> {
  const metadata = await readMetadataProps(weights.path);
  // Beside the graph: in a model directory, or next to a local model file (serve --model).
  const withCurve = await runner.files?.readText(LOSS_CURVE_FILE).catch((err: unknown) => {
    if (err instanceof MissingModelFileError) return undefined;
    throw err;
  });
  const parameters: ModelParameters = {
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    ...(withCurve && withCurve.length <= MAX_LOSS_CURVE_BYTES && withCurve.trimStart().startsWith('<')
      ? { loss_curve_svg: withCurve }
      : {}),
  };
  return Object.keys(parameters).length > 0 ? parameters : undefined;
}
