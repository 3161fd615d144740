/** Decoded 8-bit RGB pixels, row-major and interleaved (`data[(y * width + x) * 3 + c]`). */
export interface RawImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 3;
}

/** Checks the invariant `data.length === width * height * 3`; used by steps that take outside input. */
export function assertRawImage(image: RawImage): void {
  if (image.data.length !== image.width * image.height * 3) {
    throw new Error(`RawImage of ${image.width}x${image.height} needs ${image.width * image.height * 3} bytes, has ${image.data.length}`);
  }
}
