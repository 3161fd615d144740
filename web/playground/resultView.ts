import type { SchemaView } from '../../lib/core/pages/PageConfig';
import { el } from '../shared/page';

/**
 * The answer in words, by the shapes the pipelines declare: text with its confidence, a label
 * with its score, vectors as their length and first values; always the JSON itself below.
 */
export function resultView(result: unknown, schema: SchemaView | undefined): HTMLElement {
  const view = el('div', { class: 'result' });
  if (isRecord(result)) {
    if (typeof result.error === 'string') view.append(el('p', { class: 'error', 'data-result': 'error' }, result.error));
    if (typeof result.text === 'string') {
      view.append(el('p', { class: 'big', 'data-result': 'text' }, result.text), confidence(result.confidence));
    }
    if (typeof result.label === 'string' || typeof result.label === 'number') {
      const described = schema?.properties?.label?.description;
      view.append(
        el('p', { class: 'big', 'data-result': 'label' }, String(result.label), described ? el('small', {}, ` (${described})`) : ''),
        confidence(result.score),
      );
    }
    for (const [name, value] of Object.entries(result)) {
      const vectors = asVectors(value);
      if (vectors) view.append(vectorsView(name, vectors));
    }
  }
  view.append(
    el('details', { open: true }, el('summary', {}, 'JSON'), el('pre', { 'data-result': 'json' }, JSON.stringify(result, null, 2) ?? '')),
  );
  return view;
}

function confidence(value: unknown): Node {
  return typeof value === 'number' ? el('p', { class: 'confidence' }, `confidence ${value.toFixed(3)}`) : document.createTextNode('');
}

/** A number vector or a list of them (embeddings, regression outputs). */
function asVectors(value: unknown): number[][] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  if (value.every((v) => typeof v === 'number')) return [value as number[]];
  if (value.every((v) => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number'))) return value as number[][];
  return undefined;
}

function vectorsView(name: string, vectors: number[][]): HTMLElement {
  const rows = vectors.slice(0, 8).map((v, i) => {
    const head = v
      .slice(0, 8)
      .map((x) => x.toFixed(4))
      .join(', ');
    return el('li', { 'data-vector': i }, `[${head}${v.length > 8 ? ', ...' : ''}] (${v.length} values)`);
  });
  return el(
    'div',
    { class: 'vectors' },
    el('h4', {}, `${name}: ${vectors.length} vector${vectors.length === 1 ? '' : 's'}`),
    el('ol', {}, ...rows),
  );
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
