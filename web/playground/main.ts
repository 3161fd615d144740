/**
 * GET /playground: one page per model with a domain route, all generated from the OpenAPI
 * document (the registry and the pipelines' declarations): its accepted media types choose the
 * input (image, audio, JSON form) and its result schema how the answer is drawn.
 */
import { apiBase, el, readPageConfig } from '../shared/page';
import { callAuthOf } from '../shared/signing';
import { audioPage } from './audioView';
import { imagePage } from './imageView';
import { jsonPage } from './jsonView';
import { playgroundModels, type PlaygroundModel } from './models';
import { trainingPanel } from './trainingView';

const config = readPageConfig();
const app = document.getElementById('app') as HTMLElement;
const api = { base: apiBase(config), auth: callAuthOf(config) };
const models = playgroundModels(config.document);

const nav = el(
  'nav',
  { class: 'models' },
  ...models.map((m) => el('a', { href: `#${encodeURIComponent(m.name)}`, 'data-model': m.name }, m.name)),
);
const main = el('main', {});
app.append(
  el(
    'header',
    { class: 'bar' },
    el('strong', {}, `${config.document.info?.title ?? 'onnxless'} playground`),
    ' ',
    el('a', { href: 'docs' }, 'API reference'),
  ),
  nav,
  main,
);

function show(): void {
  const wanted = hashName(location.hash.slice(1));
  const model = models.find((m) => m.name === wanted) ?? models[0];
  for (const link of nav.querySelectorAll('a')) link.classList.toggle('current', link.dataset.model === model?.name);
  if (!model) {
    main.replaceChildren(
      el('p', {}, 'No model here has a domain route (POST /models/{name}/predict): the API reference lists the raw tensor routes.'),
    );
    return;
  }
  const section = el(
    'section',
    { 'data-page': model.name, 'data-kind': model.kind },
    el('h2', {}, model.name),
    el('p', { class: 'description' }, model.description),
    pageOf(model),
  );
  main.replaceChildren(section);
  // A trained model's facts and loss curve, from its OIP metadata, below its form.
  if (model.metadataPath)
    void trainingPanel(`${api.base}${model.metadataPath}`).then((panel) => panel && section.isConnected && section.append(panel));
}

function pageOf(model: PlaygroundModel): HTMLElement {
  switch (model.kind) {
    case 'image':
      return imagePage(model, api);
    case 'audio':
      return audioPage(model, api);
    case 'json':
      return jsonPage(model, api);
  }
}

/** The model a link names; a malformed escape (`#%E0`) is taken as written, not thrown. */
function hashName(hash: string): string {
  try {
    return decodeURIComponent(hash);
  } catch {
    return hash;
  }
}

window.addEventListener('hashchange', show);
show();
