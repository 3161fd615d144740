import type { ModelRunner } from '../../pipeline/Pipeline';
import type { RawImage } from '../../processing/image/RawImage';
import type { Quad } from '../../processing/image/quad';
import { borderBackground, boxWarp } from './boxWarp';
import { upsideDown } from './classifyOrientation';
import { recognizeLines, type RecognizedText, type RecognizeOptions } from './recognizeLines';

/** A detected box to read: its corners, its quarter turn (1 for vertical text) and the paper to add around it. */
export interface BoxToRead {
  quad: Quad;
  turns: number;
  margin: number;
}

export interface OrientedText extends RecognizedText {
  /** Read turned half round: the line was printed upside down. */
  upsideDown: boolean;
}

export interface OrientOptions {
  /** Boxes the classifier calls upside down with at least this score are read both ways (default 0.5). */
  threshold?: number;
}

/**
 * Reads each box the way up it reads best. PaddleOCR's direction classifier alone turns a line
 * when it says 180; on photographed print it says so, sure of itself, for lines that are upright
 * (small print, long lines: a fifth of them on the OCR bench's tuning pages), and the turned line
 * then reads as nothing. Here its call only picks the candidates: each box it calls upside down
 * (at `threshold`) is read both ways and keeps the reading the recogniser is surer of, by the sum
 * of its characters' probabilities (a turned line reads as a few unsure characters).
 */
export async function readOriented(
  image: RawImage,
  boxes: readonly BoxToRead[],
  models: { orientation: ModelRunner; recognition: ModelRunner },
  dictionary: readonly string[],
  options: { orient?: OrientOptions; recognition?: RecognizeOptions } = {},
): Promise<OrientedText[]> {
  const warps = boxes.map((box) => boxWarp(box.quad, box.turns));
  // The classifier sees the boxes as DB cut them (as it was trained).
  const candidates = await upsideDown(image, warps, models.orientation, { threshold: options.orient?.threshold ?? 0.5 });
  const turned = boxes.flatMap((box, i) => (candidates[i] ? [{ i, warp: boxWarp(box.quad, box.turns + 2) }] : []));
  const lines = [
    ...warps.map((warp, i) => ({ warp, margin: boxes[i]!.margin })),
    ...turned.map(({ i, warp }) => ({ warp, margin: boxes[i]!.margin })),
  ].map((line) => ({ ...line, background: borderBackground(image, line.warp) }));
  const texts = await recognizeLines(image, lines, models.recognition, dictionary, options.recognition);
  const read: OrientedText[] = texts.slice(0, boxes.length).map((text) => ({ ...text, upsideDown: false }));
  turned.forEach(({ i }, k) => {
    const other = texts[boxes.length + k]!;
    if (weight(other) > weight(read[i]!)) read[i] = { ...other, upsideDown: true };
  });
  return read;
}

/** How sure the recogniser is of a reading as a whole: its characters' probabilities summed. */
function weight({ text, confidence }: RecognizedText): number {
  return [...text].length * confidence;
}
