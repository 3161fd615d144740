import type { RawImage } from './RawImage';

/**
 * The image with `margin` pixels added on every side, filled with its own background: the median
 * of its border pixels, per channel (paper, for a cropped line of print). Padding with the paper
 * colour rather than cropping wider keeps the neighbouring lines out of the crop.
 */
export function padWithBackground(image: RawImage, margin: number): RawImage {
  const m = Math.max(0, Math.round(margin));
  if (m === 0) return image;
  const background = borderMedian(image);
  const width = image.width + 2 * m;
  const height = image.height + 2 * m;
  const out = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) out.set(background, i * 3);
  for (let y = 0; y < image.height; y++) {
    out.set(image.data.subarray(y * image.width * 3, (y + 1) * image.width * 3), ((y + m) * width + m) * 3);
  }
  return { data: out, width, height, channels: 3 };
}

function borderMedian(image: RawImage): [number, number, number] {
  const { data, width, height } = image;
  const channels: number[][] = [[], [], []];
  const take = (x: number, y: number) => {
    for (let c = 0; c < 3; c++) channels[c]!.push(data[(y * width + x) * 3 + c]!);
  };
  for (let x = 0; x < width; x++) {
    take(x, 0);
    take(x, height - 1);
  }
  for (let y = 1; y < height - 1; y++) {
    take(0, y);
    take(width - 1, y);
  }
  return channels.map((values) => values.sort((a, b) => a - b)[values.length >> 1] ?? 255) as [number, number, number];
}
