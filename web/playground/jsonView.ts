import type { SchemaView } from '../../lib/core/pages/PageConfig';
import { el } from '../shared/page';
import type { ApiAuth } from '../shared/signing';
import type { PlaygroundModel } from './models';
import { resultView } from './resultView';
import { send } from './send';

interface Field {
  node: HTMLElement;
  value(): unknown;
  /** A list of numbers: as many fields as the model's input is wide. */
  sizeTo?(count: number): void;
}

/**
 * A JSON model's page: a form built from the body schema the pipeline declares (a text box per
 * list of strings, one field per number, ...), or a JSON text box where it declares none.
 */
export function jsonPage(model: PlaygroundModel, api: { base: string; auth: ApiAuth }): HTMLElement {
  const request = el('div', { class: 'request' });
  const output = el('div', { class: 'output' });
  const field = fieldOf('body', variantOf(model.requestSchema));
  const form = el('form', { class: 'json-form' }, field.node, el('button', { type: 'submit' }, 'Send'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    let body: string;
    try {
      body = JSON.stringify(field.value());
    } catch (err) {
      request.replaceChildren(el('p', { class: 'error' }, `not JSON: ${err instanceof Error ? err.message : String(err)}`));
      return;
    }
    void send({ url: `${api.base}${model.path}`, contentType: 'application/json', body }, api.auth, request).then((sent) =>
      output.replaceChildren(resultView(sent.result, model.resultSchema)),
    );
  });
  if (field.sizeTo) void inputWidth(`${api.base}/v2/models/${encodeURIComponent(model.name)}`).then((n) => n && field.sizeTo?.(n));
  return el('div', { class: 'model-page' }, form, request, output);
}

/** Of a union (a string or `{"texts": [...]}`), the variant a form shows best: an object, else the first. */
function variantOf(schema: SchemaView | undefined): SchemaView | undefined {
  const variants = schema?.anyOf ?? schema?.oneOf;
  if (!variants?.length) return schema;
  return variants.find((v) => v.type === 'object') ?? variants[0];
}

function fieldOf(name: string, schema: SchemaView | undefined): Field {
  const label = (input: HTMLElement, hint: string) =>
    el('label', { class: 'field' }, el('span', {}, name, el('small', {}, ` ${hint}`)), input);
  if (schema?.type === 'object' && schema.properties) {
    const fields = Object.entries(schema.properties).map(([key, sub]) => [key, fieldOf(key, variantOf(sub))] as const);
    return {
      node: el('fieldset', {}, ...fields.map(([, f]) => f.node)),
      value: () => Object.fromEntries(fields.map(([key, f]) => [key, f.value()])),
    };
  }
  if (schema?.type === 'array' && schema.items?.type === 'string') {
    const input = el('textarea', { rows: 4, 'data-field': name }, 'The quick brown fox jumps over the lazy dog.\nA second sentence.');
    return { node: label(input, '(one per line)'), value: () => input.value.split('\n').filter((line) => line.trim() !== '') };
  }
  if (schema?.type === 'array' && (schema.items?.type === 'number' || schema.items?.type === 'integer')) {
    const numbers = el('div', { class: 'numbers', 'data-field': name });
    const resize = (count: number) =>
      numbers.replaceChildren(
        ...Array.from({ length: count }, (_, i) =>
          el('input', { type: 'number', step: 'any', value: ((i + 1) / 10).toFixed(1), 'data-number': i }),
        ),
      );
    resize(Math.max(1, schema.minItems ?? 3));
    return {
      node: label(numbers, '(numbers)'),
      value: () => [...numbers.querySelectorAll('input')].map((input) => Number(input.value)),
      sizeTo: resize,
    };
  }
  if (schema?.type === 'string') {
    const input = el('input', { type: 'text', 'data-field': name });
    return { node: label(input, schema.description ?? ''), value: () => input.value };
  }
  if (schema?.type === 'number' || schema?.type === 'integer') {
    const input = el('input', { type: 'number', step: 'any', 'data-field': name, value: 0 });
    return { node: label(input, schema.description ?? ''), value: () => Number(input.value) };
  }
  if (schema?.type === 'boolean') {
    const input = el('input', { type: 'checkbox', 'data-field': name });
    return { node: label(input, ''), value: () => input.checked };
  }
  // No declared schema: the JSON itself, checked before it is sent.
  const input = el('textarea', { rows: 6, 'data-field': name }, '[]');
  return {
    node: label(input, `(JSON${schema?.description ? `: ${schema.description}` : ''})`),
    value: () => JSON.parse(input.value) as unknown,
  };
}

/**
 * A list of numbers is one sample of the model's input: as wide as the input's last dimension,
 * from the model's OIP metadata where the page may read it (an API under IAM says 403, and the
 * fields stay as the schema sized them).
 */
async function inputWidth(metadataUrl: string): Promise<number | undefined> {
  try {
    const res = await fetch(metadataUrl);
    if (!res.ok) return undefined;
    const meta = (await res.json()) as { inputs?: Array<{ shape?: number[] }> };
    const width = meta.inputs?.length === 1 ? meta.inputs[0]?.shape?.at(-1) : undefined;
    return typeof width === 'number' && width > 0 && width <= 4096 ? width : undefined;
  } catch {
    return undefined;
  }
}
