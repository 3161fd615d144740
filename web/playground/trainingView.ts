import { el } from '../shared/page';

interface MetadataParameters {
  metadata?: Record<string, string>;
  loss_curve_svg?: string;
}

/** The facts `onnxless train` records (lib/tools/train/exportOnnx.ts), in the order a reader wants them. */
const KNOWN: ReadonlyArray<[key: string, label: string]> = [
  ['optimizer', 'optimizer'],
  ['learning_rate', 'learning rate'],
  ['epochs', 'epochs'],
  ['batch_size', 'batch size'],
  ['final_train_loss', 'final train loss'],
  ['final_validation_loss', 'final validation loss'],
  ['loss', 'loss function'],
  ['layers', 'layers'],
];

/**
 * A model's training facts, when its OIP metadata carries them (`parameters`: the ONNX file's
 * metadata_props and the loss curve pushed beside it, lib/core/inference/modelParameters.ts); nothing
 * for a model without them, or where the page may not read the metadata (an API under IAM).
 */
export async function trainingPanel(metadataUrl: string): Promise<HTMLElement | undefined> {
  let parameters: MetadataParameters | undefined;
  try {
    const res = await fetch(metadataUrl);
    if (!res.ok) return undefined;
    parameters = ((await res.json()) as { parameters?: MetadataParameters }).parameters;
  } catch {
    return undefined;
  }
  const metadata = parameters?.metadata ?? {};
  if (Object.keys(metadata).length === 0 && !parameters?.loss_curve_svg) return undefined;
  const known = new Set(KNOWN.map(([key]) => key));
  const rows = [
    ...KNOWN.filter(([key]) => key in metadata).map(([key, label]) => [label, metadata[key] as string] as const),
    ...Object.entries(metadata).filter(([key]) => !known.has(key)),
  ];
  const table = el(
    'table',
    { class: 'facts' },
    ...rows.map(([label, value]) => el('tr', { 'data-fact': label }, el('th', {}, label), el('td', {}, value))),
  );
  // An <img>, never inline markup: an SVG shown as an image runs no script, whoever drew it.
  const curve = parameters?.loss_curve_svg
    ? el('img', {
        class: 'loss-curve',
        alt: 'training loss per epoch',
        src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(parameters.loss_curve_svg)}`,
      })
    : undefined;
  return el('section', { class: 'training', 'data-training': '' }, el('h3', {}, 'Training'), table, ...(curve ? [curve] : []));
}
