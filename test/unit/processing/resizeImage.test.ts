import { describe, expect, it } from 'vitest';
import { planResize, resizeImage, type RawImage } from '../../../lib/core/processing';

function solid(width: number, height: number, rgb: [number, number, number]): RawImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return { data, width, height, channels: 3 };
}

function pixel(image: RawImage, x: number, y: number): number[] {
  const i = (y * image.width + x) * 3;
  return [...image.data.slice(i, i + 3)];
}

describe('resizeImage', () => {
  it('stretches to the exact size, ignoring aspect ratio', async () => {
    const { image, placement } = await resizeImage(solid(100, 50, [10, 20, 30]), { mode: 'stretch', width: 32, height: 32 });
    expect([image.width, image.height]).toEqual([32, 32]);
    expect(placement).toMatchObject({ scaleX: 0.32, scaleY: 0.64, offsetX: 0, offsetY: 0 });
    expect(pixel(image, 31, 31)).toEqual([10, 20, 30]);
  });

  it('letterboxes: keeps the ratio, centres the content and pads with the pad colour', async () => {
    const { image, placement } = await resizeImage(solid(200, 100, [200, 0, 0]), {
      mode: 'letterbox',
      width: 64,
      height: 64,
      padColor: [1, 2, 3],
    });
    expect([image.width, image.height]).toEqual([64, 64]);
    expect(placement).toEqual({ scaleX: 0.32, scaleY: 0.32, offsetX: 0, offsetY: 16, contentWidth: 64, contentHeight: 32 });
    expect(pixel(image, 10, 5)).toEqual([1, 2, 3]); // top band
    expect(pixel(image, 10, 32)).toEqual([200, 0, 0]); // content
    expect(pixel(image, 10, 60)).toEqual([1, 2, 3]); // bottom band
  });

  it('fixed height keeps the aspect ratio, rounding the width up as PaddleOCR does', async () => {
    const { image } = await resizeImage(solid(101, 30, [0, 0, 0]), { mode: 'fixedHeight', height: 48, maxWidth: 1000 });
    expect([image.width, image.height]).toEqual([Math.ceil((48 * 101) / 30), 48]);
  });

  it('fixed height clamps very wide lines to maxWidth', async () => {
    expect(planResize(4000, 40, { mode: 'fixedHeight', height: 48, maxWidth: 192 })).toMatchObject({ width: 192, height: 48 });
    expect(planResize(10, 400, { mode: 'fixedHeight', height: 48, maxWidth: 192 })).toMatchObject({ width: 2, height: 48 });
  });

  it('rejects nonsense sizes naming the setting', () => {
    expect(() => planResize(10, 10, { mode: 'stretch', width: 0, height: 4 })).toThrow(/width must be a positive integer/);
  });
});
