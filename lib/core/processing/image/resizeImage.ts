import type { KernelEnum } from 'sharp';
import { loadSharp } from './loadSharp';
import type { RawImage } from './RawImage';

/** Resampling kernel; `linear` is closest to OpenCV's default `INTER_LINEAR` that most models were trained with. */
export type ResizeKernel = keyof KernelEnum & string;

/** Every pixel goes to a fixed `width` x `height`, aspect ratio ignored. */
export interface StretchResize {
  mode: 'stretch';
  width: number;
  height: number;
}

/** Scale to fit inside `width` x `height` keeping aspect ratio, pad the rest (YOLO-style letterbox). */
export interface LetterboxResize {
  mode: 'letterbox';
  width: number;
  height: number;
  /** Padding colour as [r, g, b] (default grey 114, as Ultralytics uses). */
  padColor?: readonly [number, number, number];
  /** Where the image sits: centred (default) or top-left (padding right and bottom only). */
  align?: 'center' | 'topLeft';
}

/**
 * Scale to a fixed `height` keeping aspect ratio; the width becomes `ceil(height * w / h)`
 * clamped to [1, maxWidth]. Right-padding to a common width happens in the tensor step
 * (`imageBatchTensor`'s `width`), in normalised space, as PaddleOCR's text recognisers do.
 */
export interface FixedHeightResize {
  mode: 'fixedHeight';
  height: number;
  maxWidth: number;
}

export type ResizeSpec = StretchResize | LetterboxResize | FixedHeightResize;

/** Where the source ended up in the resized image: `resized = source * scale + offset`. */
export interface ResizePlacement {
  scaleX: number;
  scaleY: number;
  offsetX: number;
  offsetY: number;
  /** Size of the scaled source inside the output (without padding). */
  contentWidth: number;
  contentHeight: number;
}

export interface ResizedImage {
  image: RawImage;
  placement: ResizePlacement;
}

export interface ResizeOptions {
  kernel?: ResizeKernel;
}

function assertPositive(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`resize ${name} must be a positive integer, got ${value}`);
}

/** Computes the target geometry of `spec` for a source of `width` x `height`. */
export function planResize(width: number, height: number, spec: ResizeSpec): ResizePlacement & { width: number; height: number } {
  switch (spec.mode) {
    case 'stretch':
      assertPositive('width', spec.width);
      assertPositive('height', spec.height);
      return {
        width: spec.width,
        height: spec.height,
        contentWidth: spec.width,
        contentHeight: spec.height,
        scaleX: spec.width / width,
        scaleY: spec.height / height,
        offsetX: 0,
        offsetY: 0,
      };
    case 'letterbox': {
      assertPositive('width', spec.width);
      assertPositive('height', spec.height);
      const scale = Math.min(spec.width / width, spec.height / height);
      const contentWidth = Math.min(spec.width, Math.max(1, Math.round(width * scale)));
      const contentHeight = Math.min(spec.height, Math.max(1, Math.round(height * scale)));
      const centred = (spec.align ?? 'center') === 'center';
      const offsetX = centred ? Math.floor((spec.width - contentWidth) / 2) : 0;
      const offsetY = centred ? Math.floor((spec.height - contentHeight) / 2) : 0;
      return {
        width: spec.width,
        height: spec.height,
        contentWidth,
        contentHeight,
        scaleX: contentWidth / width,
        scaleY: contentHeight / height,
        offsetX,
        offsetY,
      };
    }
    case 'fixedHeight': {
      assertPositive('height', spec.height);
      assertPositive('maxWidth', spec.maxWidth);
      const contentWidth = Math.min(spec.maxWidth, Math.max(1, Math.ceil((spec.height * width) / height)));
      return {
        width: contentWidth,
        height: spec.height,
        contentWidth,
        contentHeight: spec.height,
        scaleX: contentWidth / width,
        scaleY: spec.height / height,
        offsetX: 0,
        offsetY: 0,
      };
    }
  }
}

/** Resizes decoded RGB pixels according to `spec`; returns the pixels and where the source landed. */
export async function resizeImage(image: RawImage, spec: ResizeSpec, options: ResizeOptions = {}): Promise<ResizedImage> {
  const plan = planResize(image.width, image.height, spec);
  let pipeline = loadSharp()(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).resize(
    plan.contentWidth,
    plan.contentHeight,
    { fit: 'fill', kernel: options.kernel ?? 'lanczos3' },
  );
  if (spec.mode === 'letterbox') {
    const [r, g, b] = spec.padColor ?? [114, 114, 114];
    pipeline = loadSharp()(await pipeline.raw().toBuffer(), {
      raw: { width: plan.contentWidth, height: plan.contentHeight, channels: 3 },
    }).extend({
      left: plan.offsetX,
      top: plan.offsetY,
      right: plan.width - plan.contentWidth - plan.offsetX,
      bottom: plan.height - plan.contentHeight - plan.offsetY,
      background: { r, g, b },
    });
  }
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  const { width, height, contentWidth, contentHeight, ...placement } = plan;
  if (info.width !== width || info.height !== height || info.channels !== 3) {
    throw new Error(`resize produced ${info.width}x${info.height}x${info.channels}, expected ${width}x${height}x3`);
  }
  return {
    image: { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height, channels: 3 },
    placement: { ...placement, contentWidth, contentHeight },
  };
}
