/**
 * A rendered page made to look like a phone photo of a print lying on a table: the paper turned and
 * seen at a slight angle (one perspective transform, the same one applied to the truth boxes),
 * uneven light, a little blur and sensor noise, JPEG at 70-85. ImageMagick does the pixels; the
 * geometry is decided here, so the ground truth follows the paper exactly.
 */
import { between, intBetween, pick, type Random } from './text';

export type Point = readonly [number, number];
export type Quad = readonly [Point, Point, Point, Point];

export interface PhotoPlan {
  /** Output size. */
  width: number;
  height: number;
  /** Where the paper's corners (top-left, top-right, bottom-right, bottom-left) land. */
  corners: Quad;
  /** The paper's own size. */
  paper: { width: number; height: number };
  table: string;
  /** Light falling on the photo: grey levels (0-1) at the corners and at one point inside. */
  light: { at: Point; level: number }[];
  blur: number;
  noise: number;
  quality: number;
  seed: number;
}

const TABLES = ['#6b5440', '#8a7560', '#4d4d52', '#a89f91', '#3e4a3d', '#7a6a5a'];

/** The photo of a `width` x `height` paper turned `tiltDeg`, drawn from `random`. */
export function planPhoto(random: Random, paper: { width: number; height: number }, tiltDeg: number): PhotoPlan {
  const { width: w, height: h } = paper;
  const angle = (tiltDeg * Math.PI) / 180;
  const [cx, cy] = [w / 2, h / 2];
  const turn = ([x, y]: Point): Point => [
    cx + (x - cx) * Math.cos(angle) - (y - cy) * Math.sin(angle),
    cy + (x - cx) * Math.sin(angle) + (y - cy) * Math.cos(angle),
  ];
  // Mild perspective: one edge seen a little further away (its corners drawn together by up to
  // 4 % of the paper's width), then every corner nudged by up to 1.2 %.
  const inset = between(random, 0.01, 0.04) * w;
  const far = pick(random, ['top', 'bottom', 'left', 'right'] as const);
  const base: Point[] = [
    [0, 0],
    [w, 0],
    [w, h],
    [0, h],
  ];
  const towards: Record<typeof far, [number, number, number, number][]> = {
    top: [
      [0, inset, 0, 0],
      [1, -inset, 0, 0],
    ],
    bottom: [
      [3, inset, 0, 0],
      [2, -inset, 0, 0],
    ],
    left: [
      [0, 0, inset, 0],
      [3, 0, -inset, 0],
    ],
    right: [
      [1, 0, inset, 0],
      [2, 0, -inset, 0],
    ],
  };
  for (const [i, dx, dy] of towards[far]) base[i] = [base[i]![0] + dx, base[i]![1] + dy];
  const nudge = 0.012 * Math.min(w, h);
  const moved = base.map(([x, y]) => turn([x + between(random, -nudge, nudge), y + between(random, -nudge, nudge)]));
  const margin = Math.round(0.05 * Math.max(w, h));
  const minX = Math.min(...moved.map((p) => p[0]));
  const minY = Math.min(...moved.map((p) => p[1]));
  const corners = moved.map(([x, y]) => [x - minX + margin, y - minY + margin] as const) as unknown as Quad;
  const width = Math.ceil(Math.max(...corners.map((p) => p[0])) + margin);
  const height = Math.ceil(Math.max(...corners.map((p) => p[1])) + margin);
  const light = [
    { at: [0, 0] as Point, level: between(random, 0.66, 1) },
    { at: [width, 0] as Point, level: between(random, 0.66, 1) },
    { at: [width, height] as Point, level: between(random, 0.66, 1) },
    { at: [0, height] as Point, level: between(random, 0.66, 1) },
    { at: [between(random, 0.2, 0.8) * width, between(random, 0.2, 0.8) * height] as Point, level: between(random, 0.9, 1) },
  ];
  return {
    width,
    height,
    corners,
    paper: { width: w, height: h },
    table: pick(random, TABLES),
    light,
    blur: between(random, 0.5, 1.1),
    noise: between(random, 0.25, 0.55),
    quality: intBetween(random, 70, 85),
    seed: intBetween(random, 1, 2 ** 30),
  };
}

/** ImageMagick's arguments (after the input file, before the output) for the plan. */
export function magickArgs(plan: PhotoPlan): string[] {
  const { width: w, height: h } = plan.paper;
  const source: Quad = [
    [0, 0],
    [w, 0],
    [w, h],
    [0, h],
  ];
  const pairs = source.map((s, i) => `${s[0]},${s[1]} ${fixed(plan.corners[i]![0])},${fixed(plan.corners[i]![1])}`).join('  ');
  const light = plan.light
    .map(({ at, level }) => {
      // Warm indoor light: a little less blue than red.
      const [r, g, b] = [level * 255, level * 250, level * 236].map((c) => Math.round(c));
      return `${fixed(at[0])},${fixed(at[1])} rgb(${r},${g},${b})`;
    })
    .join(' ');
  return [
    // One thread: ImageMagick's noise is then the same for the same seed on any machine.
    '-limit',
    'thread',
    '1',
    '-seed',
    String(plan.seed),
    '-alpha',
    'off',
    '-virtual-pixel',
    'background',
    '-background',
    plan.table,
    '-define',
    `distort:viewport=${plan.width}x${plan.height}+0+0`,
    '-distort',
    'Perspective',
    pairs,
    '(',
    '-size',
    `${plan.width}x${plan.height}`,
    'xc:white',
    '-sparse-color',
    'Shepards',
    light,
    ')',
    '-compose',
    'Multiply',
    '-composite',
    '-blur',
    `0x${plan.blur.toFixed(2)}`,
    '-attenuate',
    plan.noise.toFixed(2),
    '+noise',
    'Gaussian',
    '-strip',
    '-sampling-factor',
    '2x2',
    '-quality',
    String(plan.quality),
  ];
}

function fixed(x: number): string {
  return x.toFixed(2);
}

/** The projective map taking `from`'s four corners to `to`'s (a 3x3 matrix, row-major, last entry 1). */
export function homography(from: Quad, to: Quad): number[] {
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i]!;
    const [u, v] = to[i]!;
    a.push([x, y, 1, 0, 0, 0, -x * u, -y * u, u]);
    a.push([0, 0, 0, x, y, 1, -x * v, -y * v, v]);
  }
  // Gaussian elimination with partial pivoting on the 8 x 9 augmented system.
  for (let c = 0; c < 8; c++) {
    let pivot = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[pivot]![c]!)) pivot = r;
    [a[c], a[pivot]] = [a[pivot]!, a[c]!];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k < 9; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return [...a.map((row, i) => row[8]! / row[i]!), 1];
}

export function project(m: readonly number[], [x, y]: Point): Point {
  const d = m[6]! * x + m[7]! * y + m[8]!;
  return [(m[0]! * x + m[1]! * y + m[2]!) / d, (m[3]! * x + m[4]! * y + m[5]!) / d];
}
