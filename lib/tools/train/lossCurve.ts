/**
 * The loss curve as a standalone SVG: training and validation MSE per epoch on a log scale
 * (losses fall over decades; a linear axis shows one cliff and a flat line). Hand-written
 * polylines: a chart library would be the biggest dependency of the training code.
 */
export interface LossCurve {
  readonly trainLoss: readonly number[];
  readonly validationLoss: readonly number[];
  readonly title: string;
}

const size = { width: 720, height: 420, left: 70, right: 20, top: 40, bottom: 50 } as const;
const colors = { train: '#1f77b4', validation: '#ff7f0e' } as const;
/** More points than pixels only makes the file bigger. */
const maxPoints = 1000;

export function renderLossCurve(curve: LossCurve): string {
  const epochs = Math.max(curve.trainLoss.length, curve.validationLoss.length);
  const finite = [...curve.trainLoss, ...curve.validationLoss].filter((v) => Number.isFinite(v) && v > 0);
  const low = Math.floor(Math.log10(finite.length ? Math.min(...finite) : 1e-3));
  let high = Math.ceil(Math.log10(finite.length ? Math.max(...finite) : 1));
  if (high === low) high = low + 1;
  const plotWidth = size.width - size.left - size.right;
  const plotHeight = size.height - size.top - size.bottom;
  const x = (epoch: number) => size.left + (epochs <= 1 ? 0 : ((epoch - 1) / (epochs - 1)) * plotWidth);
  const y = (loss: number) => {
    const clamped = Math.min(Math.max(Math.log10(Math.max(loss, 10 ** low)), low), high);
    return size.top + ((high - clamped) / (high - low)) * plotHeight;
  };
  const polyline = (losses: readonly number[], color: string) => {
    const stride = Math.max(1, Math.ceil(losses.length / maxPoints));
    const points: string[] = [];
    losses.forEach((loss, k) => {
      if ((k % stride === 0 || k === losses.length - 1) && Number.isFinite(loss))
        points.push(`${x(k + 1).toFixed(1)},${y(loss).toFixed(1)}`);
    });
    return `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${points.join(' ')}"/>`;
  };

  const yTicks: string[] = [];
  for (let decade = low; decade <= high; decade++) {
    const ty = y(10 ** decade).toFixed(1);
    yTicks.push(
      `<line x1="${size.left}" y1="${ty}" x2="${size.width - size.right}" y2="${ty}" stroke="#ddd"/>`,
      `<text x="${size.left - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle">1e${decade}</text>`,
    );
  }
  const xTicks = [...new Set([1, Math.round(epochs / 4), Math.round(epochs / 2), Math.round((3 * epochs) / 4), epochs])]
    .filter((epoch) => epoch >= 1)
    .map((epoch) => `<text x="${x(epoch).toFixed(1)}" y="${size.height - size.bottom + 18}" text-anchor="middle">${epoch}</text>`);
  const lastTrain = curve.trainLoss.at(-1);
  const lastValidation = curve.validationLoss.at(-1);

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${size.height}" viewBox="0 0 ${size.width} ${size.height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(curve.title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${size.width / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(curve.title)}</text>`,
    ...yTicks,
    ...xTicks,
    `<rect x="${size.left}" y="${size.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#333"/>`,
    `<text x="${size.left + plotWidth / 2}" y="${size.height - 10}" text-anchor="middle">epoch</text>`,
    `<text transform="translate(16 ${size.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">MSE (log scale)</text>`,
    polyline(curve.trainLoss, colors.train),
    polyline(curve.validationLoss, colors.validation),
    `<g transform="translate(${size.width - size.right - 210} ${size.top + 16})">`,
    `<line x1="0" y1="0" x2="20" y2="0" stroke="${colors.train}" stroke-width="2"/><text x="26" y="4">train ${formatLoss(lastTrain)}</text>`,
    `<line x1="0" y1="18" x2="20" y2="18" stroke="${colors.validation}" stroke-width="2"/><text x="26" y="22">validation ${formatLoss(lastValidation)}</text>`,
    `</g>`,
    `</svg>`,
    '',
  ].join('\n');
}

function formatLoss(loss: number | undefined): string {
  return loss === undefined ? '' : loss.toPrecision(4);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}
