import type { GraphForm, ModelManifest } from '../sources/ModelManifest';

export interface FormChoice {
  form: GraphForm;
  /** Set when the manifest's ORT-format model was passed over: which versions, and what is loaded instead. */
  fallback?: string;
}

/**
 * The graph a loader running onnxruntime `running` fetches: the ORT-format model, else the
 * pre-optimised graph, each only when that same version wrote it (another version may refuse the
 * ORT format outright or mis-read a graph whose kernels it does not have); else the original.
 * No version given (a model configured for a level other than the default): the original.
 */
export function chooseForm(manifest: ModelManifest, running: string | undefined): FormChoice {
  if (running === undefined) return { form: 'original' };
  const { ort, optimized } = manifest;
  if (ort?.onnxruntime === running) return { form: 'ort' };
  const form: GraphForm = optimized?.onnxruntime === running ? 'optimized' : 'original';
  if (!ort) return { form };
  return {
    form,
    fallback: `${ort.path} was written by onnxruntime ${ort.onnxruntime}, this function runs onnxruntime ${running}: loading the ONNX graph instead`,
  };
}
