import { formatTime } from './format.js';
import { h, type SafeHtml } from './html.js';

/**
 * Small server-side SVG charts. Presentation attributes and classes only (no `style`), so the
 * strict CSP of the pages holds; every label goes through `h`, so it is escaped.
 */

export interface Series {
  name: string;
  /** CSS class giving the colour (see app.css `.series-*`). */
  className: string;
  points: Array<{ t: Date; v: number }>;
}

const W = 860;
const H = 220;
const PAD = { left: 56, right: 12, top: 12, bottom: 28 };

function niceMax(max: number): number {
  if (max <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (max <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

function frame(tMin: number, tMax: number, yMax: number, label: string): SafeHtml {
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const y = (f: number) => PAD.top + (1 - f) * (H - PAD.top - PAD.bottom);
  return h` <title>${label}</title>
    ${ticks.map(
      (f) =>
        h`<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(f)}" y2="${y(f)}" />
          <text class="axis" x="${PAD.left - 6}" y="${y(f) + 4}" text-anchor="end"
            >${formatNumber(f * yMax)}</text
          >`,
    )}
    <text class="axis" x="${PAD.left}" y="${H - 8}">${formatTime(new Date(tMin))}</text>
    <text class="axis" x="${W - PAD.right}" y="${H - 8}" text-anchor="end"
      >${formatTime(new Date(tMax))}</text
    >`;
}

function formatNumber(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** Lines over time, one per series, sharing the y axis from 0. */
export function lineChart(series: Series[], label: string): SafeHtml {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return h`<p class="empty">No data in this period.</p>`;
  const tMin = Math.min(...all.map((p) => p.t.getTime()));
  const tMax = Math.max(tMin + 1, ...all.map((p) => p.t.getTime()));
  const yMax = niceMax(Math.max(...all.map((p) => p.v)));
  const x = (t: number) => PAD.left + ((t - tMin) / (tMax - tMin)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - v / yMax) * (H - PAD.top - PAD.bottom);
  return h`<figure class="chart">
    <svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${label}" preserveAspectRatio="none">
      ${frame(tMin, tMax, yMax, label)}
      ${series.map(
        (s) =>
          h`<polyline
            class="line ${s.className}"
            fill="none"
            stroke-width="2"
            points="${s.points.map((p) => `${x(p.t.getTime()).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ')}"
          />`,
      )}
    </svg>
    <figcaption>${series.map((s) => h`<span class="key ${s.className}">${s.name}</span>`)}</figcaption>
  </figure>`;
}

/** Stacked bars per time bucket, one colour per category. */
export function stackedBars(
  buckets: Array<{ t: Date; values: Record<string, number> }>,
  categories: Array<{ name: string; className: string }>,
  bucketMs: number,
  label: string,
): SafeHtml {
  if (buckets.length === 0) return h`<p class="empty">No anomalies in this period.</p>`;
  const tMin = Math.min(...buckets.map((b) => b.t.getTime()));
  const tMax = Math.max(...buckets.map((b) => b.t.getTime())) + bucketMs;
  const totals = buckets.map((b) => Object.values(b.values).reduce((a, v) => a + v, 0));
  const yMax = niceMax(Math.max(...totals));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const barW = Math.max(1, (bucketMs / (tMax - tMin)) * plotW - 1);
  const rects: SafeHtml[] = [];
  for (const b of buckets) {
    let acc = 0;
    const bx = PAD.left + ((b.t.getTime() - tMin) / (tMax - tMin)) * plotW;
    for (const c of categories) {
      const v = b.values[c.name] ?? 0;
      if (v <= 0) continue;
      const barH = (v / yMax) * plotH;
      const by = PAD.top + plotH - ((acc + v) / yMax) * plotH;
      rects.push(
        h`<rect
          class="bar ${c.className}"
          x="${bx.toFixed(1)}"
          y="${by.toFixed(1)}"
          width="${barW.toFixed(1)}"
          height="${barH.toFixed(1)}"
          ><title>${formatTime(b.t)} ${c.name}: ${v}</title></rect
        >`,
      );
      acc += v;
    }
  }
  return h`<figure class="chart">
    <svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${label}" preserveAspectRatio="none">
      ${frame(tMin, tMax, yMax, label)} ${rects}
    </svg>
    <figcaption>${categories.map((c) => h`<span class="key ${c.className}">${c.name}</span>`)}</figcaption>
  </figure>`;
}
