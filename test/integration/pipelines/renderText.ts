import sharp from 'sharp';

const FONT = 'DejaVu Sans';

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A text line rendered by librsvg (inside sharp) from SVG: black DejaVu Sans on white, the
 * kind of crop a text detector hands to a recogniser. Width is estimated from the length.
 */
export async function renderLine(
  text: string,
  options: { fontSize?: number; rotate180?: boolean; color?: string; background?: string } = {},
): Promise<Buffer> {
  const fontSize = options.fontSize ?? 32;
  const width = Math.ceil(text.length * fontSize * 0.62) + fontSize;
  const height = Math.round(fontSize * 1.5);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
  <rect width="100%" height="100%" fill="${options.background ?? 'white'}"/>
  <text x="${fontSize / 2}" y="${Math.round(fontSize * 1.1)}" font-family="${FONT}" font-size="${fontSize}" fill="${options.color ?? 'black'}">${escapeXml(text)}</text>
</svg>`;
  let image = sharp(Buffer.from(svg)).flatten({ background: '#ffffff' });
  if (options.rotate180) image = sharp(await image.png().toBuffer()).rotate(180);
  return image.png().toBuffer();
}

/** Mulberry32: a tiny seeded generator, so the "random" phrases are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  'river',
  'stone',
  'market',
  'yellow',
  'window',
  'garden',
  'silver',
  'planet',
  'coffee',
  'orange',
  'bridge',
  'winter',
  'forest',
  'number',
  'simple',
  'travel',
  'letter',
  'summer',
  'castle',
  'morning',
  'pocket',
  'ticket',
  'museum',
  'rocket',
  'candle',
  'valley',
  'school',
  'animal',
  'harbor',
  'pencil',
];
// Letters and digits that a reader can tell apart without context: 0/O/o, 1/I/l, and capitals
// that are just larger lowercase in DejaVu Sans (C O S U V W X Z, and J K M P) are left out, since
// no recogniser can settle "UXZ8" vs "UXz8" from the glyphs alone.
const ALNUM = 'ABDEFGHNQRTY23456789';

/** Short phrases: two words from a list and a letters+digits code ("river stone K7Q2"). */
export function randomPhrases(count: number, seed: number): string[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  return Array.from({ length: count }, () => {
    const code = Array.from({ length: 4 }, () => pick([...ALNUM])).join('');
    return `${pick(WORDS)} ${pick(WORDS)} ${code}`;
  });
}
