import type { InferenceSession } from 'onnxruntime-node';
import { defaultIntraOpThreads } from './threads';

export const GRAPH_OPTIMIZATION_LEVELS = ['disabled', 'basic', 'extended', 'all'] as const;
export type GraphOptimizationLevel = (typeof GRAPH_OPTIMIZATION_LEVELS)[number];

export interface SessionSettings {
  intraOpThreads?: number;
  graphOptimization?: GraphOptimizationLevel;
  /** onnxruntime execution provider names in order of preference: 'cpu', 'cuda', ... */
  executionProviders?: readonly string[];
  /**
   * Under level `all`, keep this machine's fully optimised graph in the /tmp cache for restarts
   * in the same sandbox (MachineGraph.ts). Default true.
   */
  machineGraph?: boolean;
}

export function toSessionOptions(settings: SessionSettings = {}): InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: settings.intraOpThreads ?? defaultIntraOpThreads(),
    // Lambda runs one request at a time: parallel graph branches would fight the intra-op pool.
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: settings.graphOptimization ?? 'all',
    executionProviders: [...(settings.executionProviders ?? ['cpu'])] as InferenceSession.ExecutionProviderConfig[],
    // Errors only: a refused run is already answered as a 400 with onnxruntime's message, and
    // its native warning lines would otherwise flood the logs of a function fed bad input.
    logSeverityLevel: 3,
  };
}
