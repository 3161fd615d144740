import { memberModelName, type Registry } from './schema';

/** Where one served model's weights live, as its entry (or its pipeline's entry) gives them. */
export interface ModelWeights {
  weights: string;
  sha256?: string;
  size?: number;
}

/**
 * Every model the registry serves by name with its weights: the single models, then each
 * pipeline's members as `<pipeline>-<role>` (what the local stack seeds and `serve` loads).
 */
export function servedModelWeights(registry: Pick<Registry, 'models' | 'pipelines'>): [string, ModelWeights][] {
  const members = Object.entries(registry.pipelines ?? {}).flatMap(([pipeline, entry]) =>
    Object.entries(entry.models).map(([role, member]): [string, ModelWeights] => [memberModelName(pipeline, role), member]),
  );
  return [...Object.entries(registry.models), ...members];
}
