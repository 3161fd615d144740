import { describe, expect, it } from 'vitest';
import { addCounts, overlapShare, rates, scorePage, textCost, type Point, type ScoredLine } from '../../bench/ocr-accuracy/score';

/** An upright box from x0 to x1, y0 to y1, corners in reading order. */
const box = (x0: number, y0: number, x1: number, y1: number): Point[] => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
];

const truth: ScoredLine[] = [
  { text: 'Fresh bread 3.50', box: box(10, 10, 210, 40) },
  { text: 'Olive oil 500ml', box: box(10, 50, 210, 80) },
];

describe('the OCR scorer', () => {
  it('scores a perfect read as no error, every line found and nothing extra', () => {
    const result = scorePage(truth, truth);

    expect(rates(result)).toEqual({ cer: 0, cerNoSpaces: 0, linesFound: 1, extra: 0 });
    expect(result.chars).toBe(31);
  });

  it('does not punish a line read in two pieces, whatever order they came in', () => {
    const read = [
      { text: '3.50', box: box(170, 12, 208, 38) },
      { text: 'Olive oil 500ml', box: box(8, 48, 212, 82) },
      { text: 'Fresh bread', box: box(12, 12, 120, 38) },
    ];

    const result = scorePage(truth, read);

    expect(result.rows[0]).toMatchObject({ read: 'Fresh bread 3.50', pieces: 2, errors: 0, found: true });
    expect(result.extra).toBe(0);
  });

  it('joins the pieces of an upside-down line along its reading direction', () => {
    // Printed upside down: the text starts at the bottom-right corner and runs right to left.
    const turned: ScoredLine = {
      text: 'Fresh bread',
      box: [
        [200, 40],
        [10, 40],
        [10, 10],
        [200, 10],
      ],
    };
    const read = [
      { text: 'Fresh', box: box(120, 12, 198, 38) },
      { text: 'bread', box: box(12, 12, 100, 38) },
    ];

    expect(scorePage([turned], read).rows[0]!.read).toBe('Fresh bread');
  });

  it('measures lost spaces apart: CER without spaces forgives them', () => {
    const result = scorePage(truth, [
      { text: 'Freshbread3.50', box: box(10, 10, 210, 40) },
      { text: 'Olive oil 500ml', box: box(10, 50, 210, 80) },
    ]);

    expect(result.errors).toBe(2);
    expect(result.errorsNoSpaces).toBe(0);
    expect(rates(result).cerNoSpaces).toBe(0);
    // 2 edits in 16 characters: over 10 %, so that line is not found.
    expect(result.found).toBe(1);
  });

  it('counts a line that overlaps no truth line as extra, without charging it to CER', () => {
    const result = scorePage(truth, [...truth, { text: 'smudge', box: box(400, 400, 460, 420) }]);

    expect(result.extra).toBe(1);
    expect(result.extraTexts).toEqual(['smudge']);
    expect(result.errors).toBe(0);
  });

  it('charges a missed line all its characters', () => {
    const result = scorePage(truth, [truth[0]!]);

    expect(result.errors).toBe(15);
    expect(result.rows[1]).toMatchObject({ read: '', found: false });
    expect(rates(result).linesFound).toBe(0.5);
  });

  it('finds a line with at most 10 % of its characters wrong', () => {
    const line = [{ text: 'abcdefghij', box: box(0, 0, 100, 20) }];

    expect(scorePage(line, [{ text: 'abcdefghiX', box: box(0, 0, 100, 20) }]).found).toBe(1);
    expect(scorePage(line, [{ text: 'abcdefghXX', box: box(0, 0, 100, 20) }]).found).toBe(0);
  });

  it('gives a box spanning two lines to the one it overlaps most', () => {
    const result = scorePage(truth, [{ text: 'Olive oil 500ml', box: box(10, 35, 210, 80) }]);

    expect(result.rows.map((r) => r.read)).toEqual(['', 'Olive oil 500ml']);
  });

  it('matches by text when the read lines have no boxes, joining pieces in the order read', () => {
    const result = scorePage(truth, [{ text: 'Fresh bread' }, { text: '3.5O' }, { text: 'Olive oil 500ml' }, { text: 'zzzzzzzz' }]);

    expect(result.rows.map((r) => r.read)).toEqual(['Fresh bread 3.5O', 'Olive oil 500ml']);
    expect(result.errors).toBe(1);
    expect(result.extraTexts).toEqual(['zzzzzzzz']);
  });

  it('compares texts after NFKC and with runs of white space as one', () => {
    const result = scorePage([{ text: 'Total: 12,50' }], [{ text: ' Total：  12，50 ' }]);

    expect(result.errors).toBe(0);
  });

  it('adds pages up by characters and lines, not by averaging their rates', () => {
    const short = scorePage([{ text: 'ab' }], [{ text: 'ax' }]);
    const long = scorePage([{ text: 'abcdefgh' }], [{ text: 'abcdefgh' }]);

    expect(rates(addCounts([short, long])).cer).toBeCloseTo(1 / 10);
  });
});

describe('the geometry and text fits behind the matching', () => {
  it('measures the share of a box inside another, for corners in any order', () => {
    const region = box(0, 0, 100, 20);

    expect(overlapShare(box(50, 0, 150, 20), region)).toBeCloseTo(0.5);
    expect(
      overlapShare(
        [
          [150, 20],
          [50, 0],
          [150, 0],
          [50, 20],
        ],
        region,
      ),
    ).toBeCloseTo(0.5);
    expect(overlapShare(box(200, 0, 300, 20), region)).toBe(0);
  });

  it('measures a turned box against an upright one', () => {
    // A 20 x 20 square turned 45 degrees about (10, 10), against the square itself: most of it inside.
    const diamond: Point[] = [
      [10, 10 - 14.142],
      [10 + 14.142, 10],
      [10, 10 + 14.142],
      [10 - 14.142, 10],
    ];

    expect(overlapShare(diamond, box(0, 0, 20, 20))).toBeCloseTo(0.828, 2);
  });

  it('fits a piece to a line at no cost when it is an exact part of it', () => {
    expect(textCost('bread', 'Fresh bread 3.50')).toBe(0);
    expect(textCost('brexd', 'Fresh bread 3.50')).toBeCloseTo(0.2);
  });
});
