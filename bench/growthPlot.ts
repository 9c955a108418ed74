/** The growth bench's plot: time at each history size relative to the smallest, as an SVG. */

export interface Series {
  label: string;
  points: Array<{ years: number; value: number }>;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
const W = 640;
const H = 360;
const PAD = { left: 56, right: 200, top: 24, bottom: 44 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One line per series over years of history, y = time / time at the smallest size, the limit dashed. */
export function growthSvg(series: readonly Series[], limit: number): string {
  const years = series.flatMap((s) => s.points.map((p) => p.years));
  const xMax = Math.max(...years);
  const xMin = Math.min(...years);
  const yMax = Math.max(limit * 1.25, ...series.flatMap((s) => s.points.map((p) => p.value * 1.1)));
  const x = (v: number) => PAD.left + ((v - xMin) / Math.max(1, xMax - xMin)) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / yMax) * (H - PAD.top - PAD.bottom);
  const parts: string[] = [];
  parts.push(`<line x1="${PAD.left}" y1="${y(0)}" x2="${W - PAD.right}" y2="${y(0)}" stroke="#333"/>`);
  parts.push(`<line x1="${PAD.left}" y1="${y(0)}" x2="${PAD.left}" y2="${PAD.top}" stroke="#333"/>`);
  for (const t of [0, 0.5, 1, limit, Math.round(yMax * 10) / 10])
    parts.push(
      `<text x="${PAD.left - 6}" y="${y(t) + 4}" text-anchor="end" font-size="11">${t.toFixed(1)}</text>`,
    );
  for (const v of [...new Set(years)])
    parts.push(
      `<text x="${x(v)}" y="${H - PAD.bottom + 16}" text-anchor="middle" font-size="11">${v} y</text>`,
    );
  parts.push(
    `<line x1="${PAD.left}" y1="${y(limit)}" x2="${W - PAD.right}" y2="${y(limit)}" stroke="#999" stroke-dasharray="5 4"/>`,
    `<text x="${W - PAD.right + 6}" y="${y(limit) + 4}" font-size="11" fill="#666">limit ${limit}</text>`,
  );
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const d = s.points.map(
      (p, k) => `${k === 0 ? 'M' : 'L'}${x(p.years).toFixed(1)},${y(p.value).toFixed(1)}`,
    );
    parts.push(`<path d="${d.join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const p of s.points)
      parts.push(
        `<circle cx="${x(p.years).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="3" fill="${color}"/>`,
      );
    const last = s.points.at(-1)!;
    parts.push(
      `<text x="${W - PAD.right + 6}" y="${PAD.top + 16 * (i + 2)}" font-size="11" fill="${color}">${esc(s.label)}: ${last.value.toFixed(2)}×</text>`,
    );
  });
  parts.push(
    `<text x="${PAD.left}" y="${PAD.top - 8}" font-size="12">time relative to ${xMin} year${xMin === 1 ? '' : 's'} of history</text>`,
    `<text x="${(PAD.left + W - PAD.right) / 2}" y="${H - 8}" text-anchor="middle" font-size="11">years of history</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">\n${parts.join('\n')}\n</svg>\n`;
}
