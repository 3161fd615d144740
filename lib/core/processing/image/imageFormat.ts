/**
 * Image formats told apart by their magic bytes, before any decoder sees the bytes: libvips
 * would otherwise pick its loader from the content (an SVG labelled image/png reaches the SVG
 * parser), and some loaders cost seconds on hostile input. Only the formats listed in
 * DECODABLE_FORMATS ever reach sharp.
 */
export type SniffedFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff' | 'bmp' | 'heif' | 'avif' | 'jxl' | 'svg';

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The format the bytes start with, or undefined when they start like no image format known here. */
export function sniffImageFormat(bytes: Uint8Array): SniffedFormat | undefined {
  const at = (offset: number, ...expected: number[]) => expected.every((b, i) => bytes[offset + i] === b);
  const ascii = (offset: number, text: string) => at(offset, ...[...text].map((c) => c.charCodeAt(0)));
  if (at(0, ...PNG)) return 'png';
  if (at(0, 0xff, 0xd8, 0xff)) return 'jpeg';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'webp';
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return 'gif';
  if (at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a)) return 'tiff';
  if (ascii(0, 'BM')) return 'bmp';
  if (ascii(4, 'ftyp')) return ascii(8, 'avif') || ascii(8, 'avis') ? 'avif' : 'heif';
  if (at(0, 0xff, 0x0a) || at(0, 0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20)) return 'jxl';
  if (looksLikeSvg(bytes)) return 'svg';
  return undefined;
}

/** XML or `<svg` within the first bytes, after a BOM and white space. */
function looksLikeSvg(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 512))
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  return (
    head.startsWith('<?xml') ||
    head.startsWith('<svg') ||
    head.startsWith('<!doctype svg') ||
    (head.startsWith('<!--') && head.includes('<svg'))
  );
}
