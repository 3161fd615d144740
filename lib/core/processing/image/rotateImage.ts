import type { RawImage } from './RawImage';

/** The image turned by 180 degrees (a line the orientation classifier found upside down). */
export function rotate180(image: RawImage): RawImage {
  const { data, width, height } = image;
  const out = new Uint8Array(data.length);
  const pixels = width * height;
  for (let i = 0; i < pixels; i++) {
    const j = (pixels - 1 - i) * 3;
    out[i * 3] = data[j]!;
    out[i * 3 + 1] = data[j + 1]!;
    out[i * 3 + 2] = data[j + 2]!;
  }
  return { data: out, width, height, channels: 3 };
}

/** The image turned a quarter counter-clockwise (numpy's rot90): a tall crop of vertical text. */
export function rotate90CounterClockwise(image: RawImage): RawImage {
  const { data, width, height } = image;
  const out = new Uint8Array(data.length);
  // Output is height wide, width tall: output (x, y) comes from input (width - 1 - y, x).
  for (let y = 0; y < width; y++) {
    for (let x = 0; x < height; x++) {
      const from = (x * width + (width - 1 - y)) * 3;
      const to = (y * height + x) * 3;
      out[to] = data[from]!;
      out[to + 1] = data[from + 1]!;
      out[to + 2] = data[from + 2]!;
    }
  }
  return { data: out, width: height, height: width, channels: 3 };
}
