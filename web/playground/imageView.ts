import type { SchemaView } from '../../lib/core/pages/PageConfig';
import { el } from '../shared/page';
import type { ApiAuth } from '../shared/signing';
import type { PlaygroundModel } from './models';
import { isRecord, resultView } from './resultView';
import { send } from './send';
import { fileInput } from './fileInput';

/** An image model's page: drop or pick an image, see it with the answer drawn on it. */
export function imagePage(model: PlaygroundModel, api: { base: string; auth: ApiAuth }): HTMLElement {
  const types = model.accepts.filter((t) => t.startsWith('image/'));
  const request = el('div', { class: 'request' });
  const output = el('div', { class: 'output' });
  const run = async (file: File) => {
    const contentType = types.includes(file.type) ? file.type : (types[0] as string);
    const [bitmap, sent] = await Promise.all([
      createImageBitmap(file).catch(() => undefined),
      send({ url: `${api.base}${model.path}`, contentType, body: file, fileName: file.name }, api.auth, request),
    ]);
    output.replaceChildren(
      ...(bitmap ? [drawResult(bitmap, sent.result, model.resultSchema)] : []),
      resultView(sent.result, model.resultSchema),
    );
  };
  return el('div', { class: 'model-page' }, fileInput(types, 'image', 'Drop an image here, or pick one', run), request, output);
}

/**
 * The image with the answer on it: lines' boxes and texts where the result has boxes, the image
 * turned upright where the result is a rotation in degrees (a label the schema describes so),
 * and the text or label with its confidence in a band below.
 */
function drawResult(image: ImageBitmap, result: unknown, schema: SchemaView | undefined): HTMLCanvasElement {
  const scale = Math.max(1, Math.min(4, 480 / image.width));
  const width = Math.round(image.width * scale);
  const height = Math.round(image.height * scale);
  const band = 36;
  const canvas = el('canvas', { width, height: height + band, 'data-drawn': '' });
  const g = canvas.getContext('2d');
  if (!g) return canvas;
  const degrees = rotationOf(result, schema);
  g.save();
  if (degrees !== 0) {
    // Turned back by the rotation the model found: the text reads upright.
    g.translate(width / 2, height / 2);
    g.rotate((-degrees * Math.PI) / 180);
    g.translate(-width / 2, -height / 2);
    canvas.dataset.rotated = String(degrees);
  }
  g.drawImage(image, 0, 0, width, height);
  g.restore();
  g.lineWidth = 2;
  g.font = '14px sans-serif';
  for (const line of boxesOf(result)) {
    g.strokeStyle = '#e4572e';
    g.beginPath();
    line.box.forEach(([x, y], i) => (i === 0 ? g.moveTo(x * scale, y * scale) : g.lineTo(x * scale, y * scale)));
    g.closePath();
    g.stroke();
    if (line.text) {
      const [x, y] = line.box[0] as [number, number];
      g.fillStyle = '#e4572e';
      g.fillText(line.text, x * scale, Math.max(12, y * scale - 4));
    }
  }
  g.fillStyle = '#1d2733';
  g.fillRect(0, height, width, band);
  g.fillStyle = '#ffffff';
  g.font = '18px sans-serif';
  g.fillText(caption(result, degrees), 8, height + 24, width - 16);
  return canvas;
}

function caption(result: unknown, degrees: number): string {
  if (!isRecord(result)) return '';
  if (typeof result.error === 'string') return result.error;
  const score = typeof result.confidence === 'number' ? result.confidence : typeof result.score === 'number' ? result.score : undefined;
  const what = typeof result.text === 'string' ? result.text : result.label !== undefined ? String(result.label) : '';
  const turned = degrees !== 0 ? ` (shown turned back by ${degrees} degrees)` : '';
  return `${what}${score === undefined ? '' : `  ${score.toFixed(3)}`}${turned}`;
}

/** A label the result schema describes as degrees (the orientation classifier's '0' | '180'). */
function rotationOf(result: unknown, schema: SchemaView | undefined): number {
  if (!isRecord(result) || !/degree/i.test(schema?.properties?.label?.description ?? '')) return 0;
  const degrees = Number(result.label);
  return Number.isFinite(degrees) ? degrees % 360 : 0;
}

interface BoxedLine {
  box: Array<[number, number]>;
  text?: string;
}

/** Every object in the result with a `box` of [x, y] corners (an OCR pipeline's lines), at any depth. */
function boxesOf(result: unknown, out: BoxedLine[] = []): BoxedLine[] {
  if (Array.isArray(result)) for (const item of result) boxesOf(item, out);
  else if (isRecord(result)) {
    const box = result.box;
    if (
      Array.isArray(box) &&
      box.length >= 3 &&
      box.every((p) => Array.isArray(p) && p.length === 2 && p.every((c) => typeof c === 'number'))
    ) {
      out.push({ box: box as Array<[number, number]>, ...(typeof result.text === 'string' ? { text: result.text } : {}) });
    }
    for (const value of Object.values(result)) if (typeof value === 'object') boxesOf(value, out);
  }
  return out;
}
