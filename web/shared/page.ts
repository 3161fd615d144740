import { PAGE_CONFIG_ID, type PageConfig } from '../../lib/core/pages/PageConfig';

/** The config the server wrote into the page. */
export function readPageConfig(): PageConfig {
  const script = document.getElementById(PAGE_CONFIG_ID);
  if (!script?.textContent) throw new Error(`the page has no #${PAGE_CONFIG_ID} config`);
  return JSON.parse(script.textContent) as PageConfig;
}

type Attributes = Record<string, string | number | boolean | undefined>;

/** A DOM element with attributes and children: the whole of this page's "framework". */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, String(value));
  }
  node.append(...children);
  return node;
}

/** The API's origin and stage prefix: where every route of the document lives. */
export function apiBase(config: PageConfig): string {
  return `${location.origin}${config.base}`;
}
