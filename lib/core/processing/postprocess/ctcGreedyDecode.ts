export interface CtcDecoded {
  text: string;
  /** Mean probability of the kept characters (0 when none), as PaddleOCR reports it. */
  confidence: number;
  /** Each kept character with its time step and probability. */
  characters: CtcCharacter[];
}

export interface CtcCharacter {
  char: string;
  step: number;
  probability: number;
}

export interface CtcOptions {
  /** Class index of the CTC blank (PaddleOCR: 0). */
  blank?: number;
  /** True when `scores` are logits rather than probabilities (then softmax is applied per step for confidences). */
  logits?: boolean;
}

/**
 * Greedy CTC decoding of one sequence: best class per time step, repeats collapsed, blanks
 * dropped. `scores` is row-major [steps, classes]; `dictionary[i]` is the text of class i.
 */
export function ctcGreedyDecode(scores: ArrayLike<number>, dictionary: readonly string[], options: CtcOptions = {}): CtcDecoded {
  const classes = dictionary.length;
  const blank = options.blank ?? 0;
  if (scores.length % classes !== 0) {
    throw new RangeError(`scores of length ${scores.length} do not divide into ${classes} classes; does the dictionary match the model?`);
  }
  const steps = scores.length / classes;
  const characters: CtcCharacter[] = [];
  let previous = -1;
  for (let t = 0; t < steps; t++) {
    const offset = t * classes;
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[offset + c]! > scores[offset + best]!) best = c;
    if (best !== blank && best !== previous) {
      const probability = options.logits ? probabilityOf(scores, offset, classes, best) : scores[offset + best]!;
      characters.push({ char: dictionary[best]!, step: t, probability });
    }
    previous = best;
  }
  return summarize(characters);
}

/** Text and mean confidence of decoded characters (0 when there are none). */
export function summarize(characters: CtcCharacter[]): CtcDecoded {
  const text = characters.map((c) => c.char).join('');
  const confidence = characters.length === 0 ? 0 : characters.reduce((sum, c) => sum + c.probability, 0) / characters.length;
  return { text, confidence, characters };
}

/**
 * Drops leading and trailing whitespace characters (and their probabilities): the white margin
 * around a cropped line is often read as PaddleOCR's space class.
 */
export function trimDecoded(decoded: CtcDecoded): CtcDecoded {
  const chars = decoded.characters;
  let start = 0;
  let end = chars.length;
  while (start < end && chars[start]!.char.trim() === '') start++;
  while (end > start && chars[end - 1]!.char.trim() === '') end--;
  return summarize(chars.slice(start, end));
}

function probabilityOf(scores: ArrayLike<number>, offset: number, classes: number, index: number): number {
  const max = scores[offset + index]!;
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += Math.exp(scores[offset + c]! - max);
  return 1 / sum;
}

/** Decodes every sequence of a [batch, steps, classes] output. */
export function ctcGreedyDecodeBatch(
  scores: ArrayLike<number>,
  batch: number,
  dictionary: readonly string[],
  options: CtcOptions = {},
): CtcDecoded[] {
  const per = scores.length / batch;
  if (!Number.isInteger(per)) throw new RangeError(`${scores.length} scores do not split into ${batch} sequences`);
  return Array.from({ length: batch }, (_, n) => ctcGreedyDecode(slice(scores, n * per, (n + 1) * per), dictionary, options));
}

function slice(values: ArrayLike<number>, start: number, end: number): ArrayLike<number> {
  return ArrayBuffer.isView(values)
    ? (values as unknown as Float32Array).subarray(start, end)
    : Array.prototype.slice.call(values, start, end);
}
