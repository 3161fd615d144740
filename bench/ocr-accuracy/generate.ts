/**
 * npx tsx bench/ocr-accuracy/generate.ts [--seed 2026] [--pages 36] [--out bench/ocr-accuracy/pages]
 *
 * Makes the OCR evaluation set: each page an HTML layout (layouts.ts) rendered by Debian's chromium
 * (playwright-core, ONNXLESS_CHROMIUM for another binary) in the fonts fc-list shows, every line's
 * text and box read back from the DOM, then made photo-like by ImageMagick (photo.ts). Seeded: the
 * same seed and the same fonts give the same pages. Needs chromium and ImageMagick
 * (apt-get install chromium imagemagick); the bench and the tests only read the committed result.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page as BrowserPage } from 'playwright-core';
import { launchChromium } from '../../test/support/browser';
import { PAGES_DIR, splitOf, type EvalLine, type EvalPage, type EvalSet } from './evalSet';
import { KINDS, recipe, type Kind } from './layouts';
import { homography, magickArgs, planPhoto, project, type Point, type Quad } from './photo';
import { seeded } from './text';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '2026' },
    pages: { type: 'string', default: '36' },
    out: { type: 'string', default: PAGES_DIR },
  },
});
const seed = Number(values.seed);
const count = Number(values.pages);
const out = values.out!;
/** Over this a page is reported: the set is committed, and should stay a few MB. */
const MAX_BYTES = 250 * 1024;

/** The ImageMagick command: IM 7's `magick`, else IM 6's `convert` (where it is the real one, not a stand-in). */
function imageMagick(): string {
  for (const command of ['magick', '/usr/bin/convert', 'convert']) {
    try {
      if (execFileSync(command, ['-version'], { encoding: 'utf8' }).includes('ImageMagick')) return command;
    } catch {
      // not this one
    }
  }
  throw new Error('generate.ts needs ImageMagick (magick or convert) on PATH: apt-get install imagemagick');
}

interface RenderedLine {
  text: string;
  left: number;
  top: number;
  right: number;
  bottom: number;
  fontSize: number;
  upsideDown: boolean;
}

interface Rendered {
  width: number;
  height: number;
  /** The paper's text column: inside its padding. */
  inner: { left: number; right: number };
  lines: (RenderedLine & { overflows: boolean })[];
}

/**
 * Run in the page (as a script: this project compiles without the DOM's types): each line's text,
 * its parts joined by a space, and the extent of the text itself (a range over each part, not its
 * element: a grid cell is wider than its text), relative to the paper.
 */
const READ_LINES = `(() => {
  const paperElement = document.getElementById('paper');
  const paper = paperElement.getBoundingClientRect();
  const style = getComputedStyle(paperElement);
  const inner = { left: parseFloat(style.paddingLeft), right: paper.width - parseFloat(style.paddingRight) };
  const lines = [...document.querySelectorAll('[data-line]')].map((el) => {
    const parts = [...el.querySelectorAll('[data-part]')];
    const rects = parts.map((p) => {
      const range = document.createRange();
      range.selectNodeContents(p);
      return range.getBoundingClientRect();
    });
    return {
      text: parts.map((p) => p.textContent).join(' '),
      left: Math.min(...rects.map((r) => r.left)) - paper.left,
      top: Math.min(...rects.map((r) => r.top)) - paper.top,
      right: Math.max(...rects.map((r) => r.right)) - paper.left,
      bottom: Math.max(...rects.map((r) => r.bottom)) - paper.top,
      fontSize: parseFloat(getComputedStyle(parts[0]).fontSize),
      upsideDown: el.hasAttribute('data-upside-down'),
      // A part wider than its box (a grid cell, a flex item), or the line wider than the paper's column.
      overflows: parts.some((p) => p.scrollWidth > Math.ceil(p.offsetWidth) + 1) || el.scrollWidth > el.clientWidth + 1,
    };
  });
  return { width: paper.width, height: paper.height, inner, lines };
})()`;

/** Draws of one page before giving up: a draw whose line leaves the paper is drawn again with the next seed. */
const ATTEMPTS = 8;

/** The page's recipe rendered in the tab, with its lines read back from the DOM; undefined when a line does not fit. */
async function drawPage(tab: BrowserPage, kind: Kind, index: number) {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const random = seeded(seed * 1000 + index + attempt * 100_000);
    const page = recipe(kind, random);
    await tab.setViewportSize({ width: page.width, height: 900 });
    await tab.setContent(`<!doctype html><html><body style="margin:0;background:#808080">${page.html}</body></html>`);
    await tab.evaluate('document.fonts.ready.then(() => true)');
    const rendered = await tab.evaluate<Rendered>(READ_LINES);
    const fits = rendered.lines.every((l) => !l.overflows && l.left >= rendered.inner.left - 1 && l.right <= rendered.inner.right + 1);
    for (const l of rendered.lines) {
      if (!/^[\x20-\x7e]+$/.test(l.text))
        throw new Error(`page ${index} (${kind}): line '${l.text}' holds a character the dictionary lacks`);
    }
    if (fits) return { random, page, rendered };
  }
  return undefined;
}

const magick = imageMagick();
const scratch = mkdtempSync(join(tmpdir(), 'ocr-eval-'));
mkdirSync(out, { recursive: true });
for (const f of readdirSync(out)) if (f.endsWith('.jpg')) rmSync(join(out, f));
const browser = await launchChromium();
const pages: EvalPage[] = [];
try {
  const tab = await browser.newPage({ deviceScaleFactor: 1 });
  for (let i = 0; i < count; i++) {
    // Three pages of each layout in a row, so the split (every third page) holds out one of each.
    const kind = KINDS[Math.floor(i / 3) % KINDS.length]!;
    const drawn = await drawPage(tab, kind, i);
    if (!drawn)
      throw new Error(`page ${i} (${kind}): no draw in ${ATTEMPTS} fits its paper; widen the layout's column or shorten its lines`);
    const { random, page, rendered } = drawn;
    const paper = { width: Math.round(rendered.width), height: Math.round(rendered.height) };
    const png = join(scratch, `${i}.png`);
    await tab.locator('#paper').screenshot({ path: png });
    const plan = planPhoto(random, paper, page.tiltDeg);
    const id = `${String(i).padStart(2, '0')}-${kind}`;
    const file = `${id}.jpg`;
    execFileSync(magick, [png, ...magickArgs(plan), join(out, file)], { env: { ...process.env, MAGICK_THREAD_LIMIT: '1' } });
    const bytes = statSync(join(out, file)).size;
    if (bytes > MAX_BYTES) console.warn(`${file}: ${(bytes / 1024).toFixed(0)} KB, over ${MAX_BYTES / 1024} KB`);
    const h = homography(
      [
        [0, 0],
        [paper.width, 0],
        [paper.width, paper.height],
        [0, paper.height],
      ],
      plan.corners,
    );
    const lines: EvalLine[] = rendered.lines.map((l) => {
      const corners: Point[] = [
        [l.left, l.top],
        [l.right, l.top],
        [l.right, l.bottom],
        [l.left, l.bottom],
      ];
      // Reading order: an upside-down line starts at its bottom-right corner as printed.
      const reading = l.upsideDown ? [corners[2]!, corners[3]!, corners[0]!, corners[1]!] : corners;
      const box = reading.map((p) => project(h, p).map((x) => Math.round(x * 10) / 10)) as unknown as Quad;
      return { text: l.text, box, fontSize: l.fontSize, ...(l.upsideDown ? { upsideDown: true } : {}) };
    });
    pages.push({
      id,
      file,
      split: splitOf(i),
      kind,
      font: page.font,
      tiltDeg: Math.round(page.tiltDeg * 100) / 100,
      width: plan.width,
      height: plan.height,
      lines,
    });
    console.log(`${file}: ${lines.length} lines, ${plan.width}x${plan.height}, ${(bytes / 1024).toFixed(0)} KB, ${splitOf(i)}`);
  }
} finally {
  await browser.close();
  rmSync(scratch, { recursive: true, force: true });
}
const set: EvalSet = {
  about:
    `Made by bench/ocr-accuracy/generate.ts --seed ${seed} --pages ${count}: HTML layouts rendered by chromium, ` +
    `made photo-like by ImageMagick (perspective, uneven light, blur, noise, JPEG 70-85). Split: page index % 3 === 2 is held-out, the rest tuning.`,
  seed,
  pages,
};
writeFileSync(join(out, 'manifest.json'), manifestText(set));
console.log(`${pages.length} pages, ${pages.reduce((n, p) => n + p.lines.length, 0)} lines -> ${out}`);

/** The manifest as JSON with one line of text per truth line: readable, and diffs show which line changed. */
function manifestText({ pages: all, ...head }: EvalSet): string {
  const pageText = ({ lines, ...page }: EvalPage) =>
    `    ${JSON.stringify(page).slice(0, -1)},\n      "lines": [\n${lines.map((l) => `        ${JSON.stringify(l)}`).join(',\n')}\n      ]\n    }`;
  return `${JSON.stringify(head, null, 2).slice(0, -2)},\n  "pages": [\n${all.map(pageText).join(',\n')}\n  ]\n}\n`;
}
