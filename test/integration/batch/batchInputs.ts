import { renderLine, randomPhrases } from '../pipelines/renderText';

/** Inputs of a batch test: rendered text lines (the phrase each shows), and corrupt objects of three kinds. */
export interface BatchInputs {
  /** key (relative to the input prefix) -> the phrase rendered in it */
  lines: Map<string, string>;
  bodies: Map<string, Buffer>;
  /** key -> what is wrong with it */
  corrupt: Map<string, string>;
}

/**
 * `count` rendered text lines (seeded phrases, so the same every run) and `corruptCount` broken
 * objects that still claim to be images: a PNG cut after its first 64 bytes, text named .png, an
 * empty .png, in turn.
 */
export async function batchInputs(count: number, corruptCount: number, seed = 20261206): Promise<BatchInputs> {
  const lines = new Map<string, string>();
  const bodies = new Map<string, Buffer>();
  const corrupt = new Map<string, string>();
  const phrases = randomPhrases(count, seed);
  // Rendered in parallel: librsvg in sharp's thread pool.
  const rendered = await Promise.all(phrases.map((p) => renderLine(p)));
  phrases.forEach((phrase, i) => {
    const key = `lines/${String(i).padStart(5, '0')}.png`;
    lines.set(key, phrase);
    bodies.set(key, rendered[i]!);
  });
  const sample = rendered[0]!;
  for (let i = 0; i < corruptCount; i++) {
    const kind = i % 3;
    const key = `broken/${String(i).padStart(3, '0')}.png`;
    if (kind === 0) {
      bodies.set(key, sample.subarray(0, 64));
      corrupt.set(key, 'truncated PNG');
    } else if (kind === 1) {
      bodies.set(key, Buffer.from('not an image at all, just text with a .png name'));
      corrupt.set(key, 'not an image');
    } else {
      bodies.set(key, Buffer.alloc(0));
      corrupt.set(key, 'empty object');
    }
  }
  return { lines, bodies, corrupt };
}
