import { h, type SafeHtml } from './html.js';
import { niceStep } from './levelChart.js';

/**
 * A pair's daily sales and its demand forecast as server-rendered SVG: sales as a line with a dot
 * per day, the forecast's daily mean as a dashed line after its as-of day and its band as a
 * shaded area. Presentation attributes and existing classes only, so the strict CSP holds.
 */

export interface SalesPoint {
  /** YYYY-MM-DD (UTC). */
  day: string;
  units: number;
}

export interface ForecastPoint {
  day: string;
  mean: number;
  lower: number;
  upper: number;
}

const W = 860;
const H = 240;
const PAD = { left: 56, right: 12, top: 12, bottom: 28 };
const FORECAST_COLOUR = '#e15759';
const BAND_COLOUR = '#f28e2b';
const DAY = 86_400_000;

const pointsAttr = (pts: Array<[number, number]>) =>
  pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');

export function demandChart(
  sales: readonly SalesPoint[],
  forecast: readonly ForecastPoint[],
  o: { label: string; bandLevel: number; asOf: string | null },
): SafeHtml {
  if (sales.length === 0 && forecast.length === 0) return h`<p class="empty">No sales of this pair yet.</p>`;
  const days = [...sales.map((p) => p.day), ...forecast.map((p) => p.day)];
  const t0 = Date.parse(`${days[0]}T00:00:00Z`);
  const t1 = Math.max(t0 + DAY, Date.parse(`${days[days.length - 1]}T00:00:00Z`));
  const top = Math.max(1, ...sales.map((p) => p.units), ...forecast.map((p) => p.upper));
  const step = niceStep(top);
  const yMax = Math.ceil(top / step) * step;
  const x = (day: string) =>
    PAD.left + ((Date.parse(`${day}T00:00:00Z`) - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - v / yMax) * (H - PAD.top - PAD.bottom);
  const ticks: number[] = [];
  for (let v = 0; v <= yMax + step / 2; v += step) ticks.push(v);
  const sold = sales.map((p): [number, number] => [x(p.day), y(p.units)]);
  // The forecast line starts from the last day of sales, so the two read as one story.
  const anchor = sales.length > 0 && o.asOf === sales[sales.length - 1]!.day ? [sold[sold.length - 1]!] : [];
  const mean = [...anchor, ...forecast.map((p): [number, number] => [x(p.day), y(p.mean)])];
  const band = [
    ...forecast.map((p): [number, number] => [x(p.day), y(p.upper)]),
    ...[...forecast].reverse().map((p): [number, number] => [x(p.day), y(p.lower)]),
  ];
  const percent = Math.round(o.bandLevel * 100);
  return h`<figure class="chart demand-chart">
    <svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${o.label}" preserveAspectRatio="none">
      <title>${o.label}</title>
      ${ticks.map(
        (v) =>
          h`<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v)}" y2="${y(v)}" />
            <text class="axis" x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end">${Math.round(v * 10) / 10}</text>`,
      )}
      <text class="axis" x="${PAD.left}" y="${H - 8}">${days[0]}</text>
      <text class="axis" x="${W - PAD.right}" y="${H - 8}" text-anchor="end">${days[days.length - 1]}</text>
      ${
        o.asOf
          ? h`<line data-series="as_of" x1="${x(o.asOf)}" x2="${x(o.asOf)}" y1="${PAD.top}" y2="${H - PAD.bottom}"
              stroke="#999" stroke-dasharray="2 3" />
            ${
              // Its date only where it does not run into the axis's last one.
              x(o.asOf) < W - PAD.right - 150
                ? h`<text class="axis" x="${x(o.asOf)}" y="${H - 8}" text-anchor="middle">${o.asOf}</text>`
                : ''
            }`
          : ''
      }
      ${
        forecast.length > 0
          ? h`<polygon data-series="band" data-points="${forecast.length}" fill="${BAND_COLOUR}" fill-opacity="0.25"
              stroke="none" points="${pointsAttr(band)}" />
            <polyline data-series="forecast" data-points="${forecast.length}" fill="none" stroke="${FORECAST_COLOUR}"
              stroke-width="2" stroke-dasharray="6 4" points="${pointsAttr(mean)}" />`
          : ''
      }
      <polyline class="line series-a" data-series="sales" data-points="${sales.length}" fill="none"
        stroke-width="1.5" points="${pointsAttr(sold)}" />
      ${sales.map(
        (p, i) =>
          h`<circle class="sale series-a" cx="${sold[i]![0].toFixed(1)}" cy="${sold[i]![1].toFixed(1)}" r="2"
            fill="currentColor"><title>${p.day}: ${p.units} sold</title></circle>`,
      )}
      ${forecast.map(
        (p) =>
          h`<circle class="forecast-day" cx="${x(p.day).toFixed(1)}" cy="${y(p.mean).toFixed(1)}" r="2"
            fill="${FORECAST_COLOUR}"><title>${p.day}: ${p.mean.toFixed(1)} expected, ${percent} % band ${p.lower.toFixed(1)}–${p.upper.toFixed(1)}</title></circle>`,
      )}
    </svg>
    <figcaption>
      <span class="key series-a">units sold per day</span>
      <span class="key series-2">forecast (daily mean)</span>
      <span class="key series-1">${percent} % band</span>
    </figcaption>
  </figure>`;
}
