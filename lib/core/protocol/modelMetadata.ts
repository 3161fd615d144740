import type { TensorSpec } from '../pipeline/Pipeline';
import { datatypeOf } from './datatypes';

export interface TensorMetadata {
  name: string;
  datatype: string;
  shape: number[];
}

export interface ModelMetadata {
  name: string;
  versions: string[];
  platform: 'onnxruntime_onnx';
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
  /** Extension (as MLServer's): the ONNX file's metadata_props and a training loss curve (service/modelParameters.ts). */
  parameters?: { metadata?: Record<string, string>; loss_curve_svg?: string };
}

/** OIP model metadata from the session: symbolic dimensions become -1. */
export function modelMetadata(
  name: string,
  version: string | undefined,
  io: { inputs: readonly TensorSpec[]; outputs: readonly TensorSpec[] },
): ModelMetadata {
  return {
    name,
    versions: version ? [version] : [],
    platform: 'onnxruntime_onnx',
    inputs: io.inputs.map(toMetadata),
    outputs: io.outputs.map(toMetadata),
  };
}

function toMetadata(spec: TensorSpec): TensorMetadata {
  return {
    name: spec.name,
    datatype: datatypeOf(spec.type) ?? spec.type.toUpperCase(),
    shape: spec.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)),
  };
}
