import type { SchemaView } from '../shared/PageConfig';
import { el } from '../shared/page';
import type { ApiAuth } from '../shared/signing';
import type { PlaygroundModel } from './models';
import { resultView } from './resultView';
import { send } from './send';

interface Field {
  node: HTMLElement;
  value(): unknown;
}

/**
 * A JSON model's page: a form built from the body schema the pipeline declares (a text box per
 * string list, number fields, ...), or a JSON text box where it declares none.
 */
export function jsonPage(model: PlaygroundModel, api: { base: string; auth: ApiAuth }): HTMLElement {
  const request = el('div', { class: 'request' });
  const output = el('div', { class: 'output' });
  const field = fieldOf('body', model.requestSchema);
  const button = el('button', { type: 'submit' }, 'Send');
  const form = el('form', { class: 'json-form' }, field.node, button);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    let body: string;
    try {
      body = JSON.stringify(field.value());
    } catch (err) {
      request.replaceChildren(el('p', { class: 'error' }, err instanceof Error ? err.message : String(err)));
      return;
    }
    void send({ url: `${api.base}${model.path}`, contentType: 'application/json', body }, api.auth, request).then((sent) =>
      output.replaceChildren(resultView(sent.result, model.resultSchema)),
    );
  });
  return el('div', { class: 'model-page' }, form, request, output);
}

function fieldOf(name: string, schema: SchemaView | undefined): Field {
  const label = (input: HTMLElement, hint: string) => el('label', { class: 'field' }, el('span', {}, name, el('small', {}, ` ${hint}`)), input);
  if (schema?.type === 'object' && schema.properties) {
    const fields = Object.entries(schema.properties).map(([key, sub]) => [key, fieldOf(key, sub)] as const);
    return {
      node: el('fieldset', {}, ...fields.map(([, f]) => f.node)),
      value: () => Object.fromEntries(fields.map(([key, f]) => [key, f.value()])),
    };
  }
  if (schema?.type === 'array' && schema.items?.type === 'string') {
    const input = el('textarea', { rows: 4, 'data-field': name }, 'The quick brown fox.\nA second sentence.');
    return { node: label(input, '(one per line)'), value: () => input.value.split('\n').filter((line) => line.trim() !== '') };
  }
  if (schema?.type === 'array' && (schema.items?.type === 'number' || schema.items?.type === 'integer')) {
    const count = schema.minItems ?? 3;
    const input = el('input', { type: 'text', 'data-field': name, value: Array.from({ length: count }, (_, i) => (i + 1) / 10).join(', ') });
    return { node: label(input, '(numbers, comma-separated)'), value: () => input.value.split(',').map((v) => Number(v.trim())) };
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
  const input = el('textarea', { rows: 6, 'data-field': name }, '[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]');
  return {
    node: label(input, `(JSON${schema?.description ? `: ${schema.description}` : ''})`),
    value: () => JSON.parse(input.value) as unknown,
  };
}
