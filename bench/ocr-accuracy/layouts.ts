/**
 * The page layouts of the OCR evaluation set: each a small HTML page whose every text line is its
 * own element (`data-line`, white-space: pre, so the browser never breaks it), holding one or more
 * `data-part` spans: the line's text is its parts joined by a space, its box their union. A row of a
 * receipt or a table is one line of two or more parts, as a reader reads it.
 */
import { between, code, date, intBetween, item, name, pick, price, sentence, street, time, title, town, word, type Random } from './text';

export const KINDS = [
  'letter',
  'receipt',
  'table',
  'sign',
  'small-print',
  'upside-down',
  'tilted',
  'long-lines',
  'two-column',
  'form',
  'flyer',
  'tilted-receipt',
] as const;
export type Kind = (typeof KINDS)[number];

export interface PageRecipe {
  kind: Kind;
  /** The paper's width in CSS pixels (one pixel each: the screenshot's scale is 1). */
  width: number;
  /** The whole page turned this many degrees in the photo (positive: clockwise). */
  tiltDeg: number;
  font: string;
  html: string;
}

/** The fonts fc-list shows on the machine that made the pages (Debian's fonts-dejavu and fonts-liberation). */
const SANS = ['DejaVu Sans', 'Liberation Sans'];
const SERIF = ['DejaVu Serif', 'Liberation Serif'];
const MONO = ['DejaVu Sans Mono', 'Liberation Mono'];
const NARROW = ['Liberation Sans Narrow', 'DejaVu Sans Condensed'];
const ALL_FONTS = [...SANS, ...SERIF, ...MONO, ...NARROW];

const INKS = ['#111111', '#1b2a52', '#2b2b2b', '#3a2414', '#0f3b22', '#4a0e0e', '#202830'];
const PAPERS = ['#ffffff', '#fbf8ef', '#f5f5f0', '#fffaf0', '#f2f5f8'];

/**
 * Average advance of a character of these texts as a share of the font size, to size lines that
 * fill a column; a line that still comes out too wide makes generate.ts draw the page again.
 */
function charWidth(font: string): number {
  const widths: Record<string, number> = {
    'DejaVu Sans': 0.58,
    'DejaVu Serif': 0.57,
    'DejaVu Sans Mono': 0.61,
    'DejaVu Sans Condensed': 0.52,
    'Liberation Sans': 0.52,
    'Liberation Serif': 0.47,
    'Liberation Mono': 0.61,
    'Liberation Sans Narrow': 0.43,
  };
  return widths[font] ?? 0.6;
}

function escape(text: string): string {
  return text.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** One line of one or more parts, styled as given. */
function line(parts: string | readonly string[], style = '', attributes = ''): string {
  const spans = (typeof parts === 'string' ? [parts] : parts).map((p) => `<span data-part>${escape(p)}</span>`).join('');
  return `<div data-line ${attributes} style="white-space:pre;${style}">${spans}</div>`;
}

/** Lines of running text no longer than fits `width` px at `size` px in `font`. */
function paragraphLines(random: Random, count: number, width: number, size: number, font: string): string[] {
  const max = Math.floor(width / (size * charWidth(font)));
  const lines: string[] = [];
  while (lines.length < count) {
    const text = sentence(random, Math.max(8, Math.floor(max * 0.7)), Math.max(10, max - 8));
    if (text.length <= max) lines.push(text);
  }
  return lines;
}

function paper(random: Random, width: number, font: string, body: string, style = ''): string {
  const background = pick(random, PAPERS);
  return `<div id="paper" style="width:${width}px;box-sizing:border-box;padding:${intBetween(random, 44, 70)}px ${intBetween(random, 40, 64)}px;background:${background};font-family:'${font}';color:${pick(random, INKS)};${style}">${body}</div>`;
}

function letter(random: Random): PageRecipe {
  const font = pick(random, [...SERIF, ...SANS]);
  const width = intBetween(random, 900, 1100);
  const size = intBetween(random, 18, 26);
  const inner = width - 130;
  const parts = [
    line(title(random, intBetween(random, 2, 4)), `font-size:${size + 10}px;font-weight:bold;margin-bottom:${size}px`),
    line(name(random), `font-size:${size}px`),
    line(street(random), `font-size:${size}px`),
    line(town(random), `font-size:${size}px;margin-bottom:${size}px`),
    line(date(random), `font-size:${size}px;margin-bottom:${size}px`),
  ];
  for (let p = 0; p < intBetween(random, 2, 3); p++) {
    for (const text of paragraphLines(random, intBetween(random, 3, 5), inner, size, font))
      parts.push(line(text, `font-size:${size}px;line-height:1.45`));
    parts.push(`<div style="height:${size}px"></div>`);
  }
  parts.push(line(`Yours sincerely, ${name(random)}`, `font-size:${size}px;font-style:italic`));
  return { kind: 'letter', width, tiltDeg: between(random, -1.5, 1.5), font, html: paper(random, width, font, parts.join('')) };
}

function receiptBody(random: Random, size: number): string {
  const rows = [
    line(title(random, 2).toUpperCase(), `font-size:${size + 8}px;font-weight:bold;text-align:center`),
    line(street(random), `font-size:${size}px;text-align:center`),
    line(`${date(random)} ${time(random)}`, `font-size:${size}px;text-align:center;margin-bottom:${size}px`),
  ];
  let total = 0;
  const flex = `font-size:${size}px;display:flex;justify-content:space-between`;
  for (let i = 0; i < intBetween(random, 6, 10); i++) {
    const cost = price(random, 18);
    total += Number(cost);
    rows.push(line([item(random), cost], flex));
  }
  rows.push(`<div style="border-top:2px dashed currentColor;margin:${size / 2}px 0"></div>`);
  rows.push(line(['TOTAL', total.toFixed(2)], `${flex};font-weight:bold;font-size:${size + 4}px`));
  rows.push(line(['CARD', total.toFixed(2)], flex));
  rows.push(line(`Ref ${code(random)}`, `font-size:${size}px;margin-top:${size}px`));
  rows.push(line('Thank you for shopping with us', `font-size:${size}px;text-align:center`));
  return rows.join('');
}

function receipt(random: Random, kind: 'receipt' | 'tilted-receipt'): PageRecipe {
  const font = pick(random, [...MONO, ...SANS]);
  const width = intBetween(random, 480, 600);
  const size = intBetween(random, 18, 24);
  const tiltDeg = kind === 'tilted-receipt' ? pick(random, [-1, 1]) * between(random, 3, 8) : between(random, -1.5, 1.5);
  return { kind, width, tiltDeg, font, html: paper(random, width, font, receiptBody(random, size)) };
}

function table(random: Random): PageRecipe {
  const font = pick(random, [...SANS, ...NARROW, ...SERIF]);
  const width = intBetween(random, 900, 1150);
  const size = intBetween(random, 18, 22);
  const heads = ['Date', 'Reference', 'Description', 'Qty', 'Amount'];
  const cell = (text: string, align: string, bold = false) =>
    `<span data-part style="display:inline-block;text-align:${align};${bold ? 'font-weight:bold;' : ''}">${escape(text)}</span>`;
  const columns = `display:grid;grid-template-columns:150px 170px 1fr 60px 110px;column-gap:18px;border-bottom:1px solid #999;padding:6px 4px;font-size:${size}px`;
  const row = (cells: string[], bold = false) =>
    `<div data-line style="white-space:pre;${columns}">${cells.map((c, i) => cell(c, i >= 3 ? 'right' : 'left', bold)).join('')}</div>`;
  const rows = [line(title(random, 3), `font-size:${size + 10}px;font-weight:bold;margin-bottom:${size}px`), row(heads, true)];
  for (let i = 0; i < intBetween(random, 8, 12); i++) {
    const description = `${word(random)} ${word(random)}`;
    rows.push(row([date(random), code(random), description, String(intBetween(random, 1, 40)), price(random, 900)]));
  }
  const html = paper(random, width, font, `<div style="border:1px solid #777">${rows.join('')}</div>`);
  return { kind: 'table', width, tiltDeg: between(random, -1.5, 1.5), font, html };
}

function sign(random: Random): PageRecipe {
  const font = pick(random, [...SANS, ...SERIF, ...NARROW]);
  const width = intBetween(random, 800, 1000);
  const [background, ink] = pick(random, [
    ['#1f4e9c', '#ffffff'],
    ['#b3261e', '#ffffff'],
    ['#1e6b35', '#ffffff'],
    ['#f2c12e', '#111111'],
    ['#222222', '#f5f5f5'],
  ]) as [string, string];
  const size = intBetween(random, 36, 44);
  const max = Math.floor((width - 140) / (size * charWidth(font) * 1.1));
  const lines: string[] = [];
  lines.push(
    line(
      title(random, intBetween(random, 1, 3))
        .toUpperCase()
        .slice(0, max),
      `font-size:${size + 0}px;font-weight:bold`,
    ),
  );
  for (let i = 0; i < intBetween(random, 2, 3); i++) lines.push(line(sentence(random, 8, Math.min(max, 22)), `font-size:${size}px`));
  lines.push(line(`Open ${time(random)} - ${time(random)}`, `font-size:${Math.max(36, size - 6)}px`));
  const body = `<div style="background:${background};color:${ink};padding:40px 50px;border-radius:18px;text-align:center;line-height:1.5">${lines.join('')}</div>`;
  return { kind: 'sign', width, tiltDeg: between(random, -2, 2), font, html: paper(random, width, font, body) };
}

function smallPrint(random: Random): PageRecipe {
  const font = pick(random, [...NARROW, ...SANS, ...SERIF]);
  const width = intBetween(random, 900, 1050);
  const size = intBetween(random, 16, 17);
  const parts = [line(title(random, 3), `font-size:${size + 8}px;font-weight:bold;margin-bottom:10px`)];
  for (const text of paragraphLines(random, intBetween(random, 18, 24), width - 120, size, font))
    parts.push(line(text, `font-size:${size}px;line-height:1.4;color:#444`));
  return { kind: 'small-print', width, tiltDeg: between(random, -1.5, 1.5), font, html: paper(random, width, font, parts.join('')) };
}

function upsideDown(random: Random): PageRecipe {
  const font = pick(random, [...SANS, ...SERIF]);
  const width = intBetween(random, 900, 1050);
  const size = intBetween(random, 20, 28);
  const parts = [line(title(random, 3), `font-size:${size + 8}px;font-weight:bold;margin-bottom:${size}px`)];
  // A folded card: its lower half printed the other way round, as one often lies on a table.
  const upright = paragraphLines(random, intBetween(random, 4, 6), width - 130, size, font);
  const turned = paragraphLines(random, intBetween(random, 4, 6), width - 130, size, font);
  for (const text of upright) parts.push(line(text, `font-size:${size}px;line-height:1.5`));
  parts.push(`<div style="border-top:1px dotted #aaa;margin:${size}px 0"></div>`);
  for (const text of turned) parts.push(line(text, `font-size:${size}px;line-height:1.5;transform:rotate(180deg)`, 'data-upside-down'));
  return { kind: 'upside-down', width, tiltDeg: between(random, -1.5, 1.5), font, html: paper(random, width, font, parts.join('')) };
}

function tilted(random: Random): PageRecipe {
  const font = pick(random, ALL_FONTS);
  const width = intBetween(random, 850, 1000);
  const size = intBetween(random, 20, 30);
  const parts = [line(title(random, 3), `font-size:${size + 10}px;font-weight:bold;margin-bottom:${size / 2}px`)];
  for (const text of paragraphLines(random, intBetween(random, 8, 12), width - 130, size, font))
    parts.push(line(text, `font-size:${size}px;line-height:1.5`));
  const tiltDeg = pick(random, [-1, 1]) * between(random, 3, 8);
  return { kind: 'tilted', width, tiltDeg, font, html: paper(random, width, font, parts.join('')) };
}

function longLines(random: Random): PageRecipe {
  const font = pick(random, [...SANS, ...SERIF, ...NARROW]);
  const width = intBetween(random, 1300, 1450);
  const size = intBetween(random, 18, 22);
  const parts: string[] = [];
  const max = Math.floor((width - 130) / (size * charWidth(font)));
  while (parts.length < intBetween(random, 10, 14)) {
    const text = sentence(random, Math.floor(max * 0.8), max - 12);
    if (text.length <= max) parts.push(line(text, `font-size:${size}px;line-height:1.6`));
  }
  return { kind: 'long-lines', width, tiltDeg: between(random, -1.5, 1.5), font, html: paper(random, width, font, parts.join('')) };
}

function twoColumn(random: Random): PageRecipe {
  const font = pick(random, [...SERIF, ...SANS, ...NARROW]);
  const width = intBetween(random, 1000, 1200);
  const size = intBetween(random, 18, 22);
  const columnWidth = (width - 130 - 40) / 2;
  const column = () =>
    `<div>${paragraphLines(random, intBetween(random, 10, 14), columnWidth, size, font)
      .map((t) => line(t, `font-size:${size}px;line-height:1.45`))
      .join('')}</div>`;
  const body =
    line(title(random, 4), `font-size:${size + 14}px;font-weight:bold;margin-bottom:${size}px`) +
    `<div style="display:grid;grid-template-columns:1fr 1fr;column-gap:40px">${column()}${column()}</div>`;
  return { kind: 'two-column', width, tiltDeg: between(random, -1.5, 1.5), font, html: paper(random, width, font, body) };
}

function form(random: Random): PageRecipe {
  const font = pick(random, [...SANS, ...NARROW, ...MONO]);
  const width = intBetween(random, 850, 1000);
  const size = intBetween(random, 18, 24);
  const pair = (label: string, value: string) =>
    line(
      [`${label}:`, value],
      `font-size:${size}px;display:grid;grid-template-columns:260px 1fr;padding:6px 0;border-bottom:1px solid #ccc`,
    );
  const parts = [
    line(`INVOICE ${code(random)}`, `font-size:${size + 14}px;font-weight:bold;color:#1b2a52;margin-bottom:${size}px`),
    pair('Customer', name(random)),
    pair('Address', street(random)),
    pair('City', town(random)),
    pair('Order date', date(random)),
    pair('Order no', code(random)),
    pair('Phone', `+${intBetween(random, 30, 49)} ${intBetween(random, 100, 999)} ${intBetween(random, 100000, 999999)}`),
    pair('Email', `${word(random)}.${word(random)}@example.com`),
    pair('Amount due', `${price(random, 2000)} EUR`),
    pair('Due by', date(random)),
    `<div style="height:${size}px"></div>`,
  ];
  for (const text of paragraphLines(random, 3, width - 130, size - 2, font))
    parts.push(line(text, `font-size:${size - 2}px;line-height:1.4`));
  return { kind: 'form', width, tiltDeg: between(random, -1.5, 1.5), font, html: paper(random, width, font, parts.join('')) };
}

function flyer(random: Random): PageRecipe {
  const width = intBetween(random, 900, 1050);
  const fonts = [pick(random, SANS), pick(random, SERIF), pick(random, NARROW), pick(random, MONO)];
  const colours = ['#b3261e', '#1b2a52', '#0f3b22', '#6a1b9a', '#111111', '#8a4b00'];
  const parts: string[] = [];
  for (let i = 0; i < intBetween(random, 9, 12); i++) {
    const size = intBetween(random, 16, 44);
    const font = pick(random, fonts);
    const max = Math.floor((width - 130) / (size * charWidth(font) * 1.12));
    const text = i === 0 ? title(random, 2).toUpperCase() : sentence(random, Math.min(10, max - 4), Math.max(12, max - 8));
    if (text.length > max) continue;
    const bold = random() < 0.35 ? 'font-weight:bold;' : '';
    const italic = random() < 0.15 ? 'font-style:italic;' : '';
    const align = pick(random, ['left', 'center', 'right']);
    parts.push(
      line(
        text,
        `font-size:${size}px;font-family:'${font}';color:${pick(random, colours)};${bold}${italic}text-align:${align};margin:${intBetween(random, 4, 16)}px 0`,
      ),
    );
  }
  return {
    kind: 'flyer',
    width,
    tiltDeg: between(random, -2, 2),
    font: fonts.join(', '),
    html: paper(random, width, fonts[0]!, parts.join('')),
  };
}

/** The page of `kind` drawn from `random`. */
export function recipe(kind: Kind, random: Random): PageRecipe {
  switch (kind) {
    case 'letter':
      return letter(random);
    case 'receipt':
    case 'tilted-receipt':
      return receipt(random, kind);
    case 'table':
      return table(random);
    case 'sign':
      return sign(random);
    case 'small-print':
      return smallPrint(random);
    case 'upside-down':
      return upsideDown(random);
    case 'tilted':
      return tilted(random);
    case 'long-lines':
      return longLines(random);
    case 'two-column':
      return twoColumn(random);
    case 'form':
      return form(random);
    case 'flyer':
      return flyer(random);
  }
}
