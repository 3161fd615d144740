/** One bar: a way to a first response, its phases in order (ms, medians). */
export interface PhaseBar {
  label: string;
  phases: Array<{ name: string; ms: number }>;
}

const COLOURS: Record<string, string> = {
  'node boot': '#9e9e9e',
  'module load': '#ab47bc',
  'download + verify': '#42a5f5',
  'session create': '#ef6c00',
  'run + respond': '#66bb6a',
};

/** A horizontal stacked bar chart, one bar per way, as a standalone SVG (no dependencies). */
export function phaseChartSvg(title: string, bars: readonly PhaseBar[]): string {
  const width = 860;
  const left = 260;
  const barHeight = 22;
  const gap = 10;
  const top = 40;
  const max = Math.max(...bars.map((b) => b.phases.reduce((s, p) => s + p.ms, 0)), 1);
  const scale = (width - left - 80) / max;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const rows = bars.map((bar, i) => {
    const y = top + i * (barHeight + gap);
    let x = left;
    const rects = bar.phases.map((p) => {
      const w = Math.max(0, p.ms * scale);
      const r = `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${COLOURS[p.name] ?? '#607d8b'}"><title>${esc(p.name)}: ${p.ms.toFixed(1)} ms</title></rect>`;
      x += w;
      return r;
    });
    const total = bar.phases.reduce((s, p) => s + p.ms, 0);
    return `<text x="${left - 8}" y="${y + 16}" text-anchor="end">${esc(bar.label)}</text>${rects.join('')}<text x="${(x + 6).toFixed(1)}" y="${y + 16}">${total.toFixed(0)} ms</text>`;
  });
  const legendY = top + bars.length * (barHeight + gap) + 10;
  const legend = Object.entries(COLOURS).map(
    ([name, colour], i) =>
      `<rect x="${left + i * 120}" y="${legendY}" width="12" height="12" fill="${colour}"/><text x="${left + i * 120 + 16}" y="${legendY + 11}">${name}</text>`,
  );
  const height = legendY + 30;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">
<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>
${rows.join('\n')}
${legend.join('\n')}
</svg>
`;
}
