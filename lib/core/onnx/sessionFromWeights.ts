import type { InferenceSession } from 'onnxruntime-node';
import type { CachedWeights } from '../cache/WeightsCache';
import { MachineGraph } from './MachineGraph';
import { onnxruntime } from './onnxruntime';
import { toSessionOptions, type SessionSettings } from './SessionOptions';

/**
 * The graph a session was created from: the pushed `original`, the one `optimized` at push
 * time, the `ort`-format model written at push time, or this `machine`'s fully optimised one
 * from the /tmp cache (MachineGraph.ts).
 */
export type SessionGraph = 'original' | 'optimized' | 'ort' | 'machine';

export interface CreatedSession {
  session: InferenceSession;
  graph: SessionGraph;
}

/**
 * From the path, never from a buffer: onnxruntime maps the file, JS never holds the weights,
 * and peak RSS stays about half of the buffer route. Under the default level a restart in the
 * same sandbox uses this machine's fully optimised graph (optimisation disabled: it is done).
 * That graph is written by a load whose weights were already in the cache (a restart, an evicted
 * model loaded again), not by a sandbox's first load: writing it costs the first creation ~15 %
 * (recognition: +22 ms on ~170 ms, docs/benchmarks.md), which every cold start would pay for
 * the restarts few sandboxes have.
 */
export async function sessionFromWeights(weights: CachedWeights, settings: SessionSettings | undefined): Promise<CreatedSession> {
  // Required here, not at the top: a cold start's download begins before onnxruntime's module
  // and native-library load.
  const { InferenceSession } = onnxruntime();
  const options = toSessionOptions(settings);
  const graph = weights.graph ?? 'original';
  // onnxruntime writes no ONNX graph from an ORT-format model, so no machine graph either: the
  // ORT model is what spares this load the parse and the portable optimisations.
  if (graph === 'ort') return { session: await InferenceSession.create(weights.path, options), graph };
  const machine = options.graphOptimizationLevel === 'all' && settings?.machineGraph !== false ? MachineGraph.for(weights) : undefined;
  if (machine && (await machine.valid())) {
    try {
      return {
        session: await InferenceSession.create(machine.path, { ...options, graphOptimizationLevel: 'disabled' }),
        graph: 'machine',
      };
    } catch {
      await machine.discard();
    }
  }
  const temp = weights.origin === 'cache' ? machine?.tempPath() : undefined;
  if (temp) {
    try {
      const session = await InferenceSession.create(weights.path, { ...options, optimizedModelFilePath: temp });
      // Placed at once (a rename and a record); after the source's pending hash, if any, without
      // waiting for it. A graph that cannot be placed is only a missed speed-up for the next
      // start: never a reason to drop this session (and leak it) or to fail the load.
      const placing = machine!.place(temp, weights.verified).catch(() => machine!.abandon(temp).catch(() => undefined));
      if (!weights.verified) await placing;
      return { session, graph };
    } catch {
      // Writing the graph can fail where loading does not (a graph past protobuf's 2 GB): load without it.
      await machine!.abandon(temp);
    }
  }
  return { session: await InferenceSession.create(weights.path, options), graph };
}
