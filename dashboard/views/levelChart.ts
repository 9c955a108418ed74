import { h, type SafeHtml } from './html.js';

/**
 * A pair's stock level over days as server-rendered SVG: on hand as a line with a dot per day,
 * and the reorder point and safety stock of each day as dashed lines. Colours are presentation
 * attributes or existing `.series-*` classes, so the strict CSP holds and app.css is unchanged.
 */

export interface LevelPoint {
  /** YYYY-MM-DD (UTC). */
  day: string;
  onHand: number;
  reorderPoint: number | null;
  safetyStock: number | null;
}

const W = 860;
const H = 240;
const PAD = { left: 56, right: 12, top: 12, bottom: 28 };
const REORDER_COLOUR = '#e15759';
const SAFETY_COLOUR = '#f28e2b';

/** A round step that divides `range` into about four grid lines. */
export function niceStep(range: number): number {
  const raw = range / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const step of [1, 2, 2.5, 5, 10]) if (raw <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

/** Runs of consecutive non-null values, so a day without metrics breaks the line. */
function segments(values: Array<[number, number | null]>): Array<Array<[number, number]>> {
  const out: Array<Array<[number, number]>> = [];
  let current: Array<[number, number]> = [];
  for (const [x, v] of values) {
    if (v === null) {
      if (current.length > 0) out.push(current);
      current = [];
    } else current.push([x, v]);
  }
  if (current.length > 0) out.push(current);
  return out;
}

const pointsAttr = (pts: Array<[number, number]>) =>
  pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');

export function levelChart(points: readonly LevelPoint[], label: string): SafeHtml {
  if (points.length === 0) return h`<p class="empty">No daily snapshots of this pair yet.</p>`;
  const values = points.flatMap((p) => [p.onHand, p.reorderPoint ?? 0, p.safetyStock ?? 0]);
  const lo = Math.min(0, ...values);
  const hiRaw = Math.max(1, ...values);
  const step = niceStep(hiRaw - lo);
  const yMin = Math.floor(lo / step) * step;
  const yMax = Math.ceil(hiRaw / step) * step;
  const t0 = Date.parse(`${points[0]!.day}T00:00:00Z`);
  const t1 = Math.max(t0 + 86_400_000, Date.parse(`${points[points.length - 1]!.day}T00:00:00Z`));
  const x = (day: string) =>
    PAD.left + ((Date.parse(`${day}T00:00:00Z`) - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - (v - yMin) / (yMax - yMin)) * (H - PAD.top - PAD.bottom);
  const ticks: number[] = [];
  for (let v = yMin; v <= yMax + step / 2; v += step) ticks.push(v);
  const onHand = points.map((p): [number, number] => [x(p.day), y(p.onHand)]);
  const dashed = (pick: (p: LevelPoint) => number | null, colour: string, dash: string, name: string) =>
    segments(points.map((p) => [x(p.day), pick(p) === null ? null : y(pick(p)!)])).map(
      (seg) =>
        h`<polyline data-series="${name}" fill="none" stroke="${colour}" stroke-width="1.5"
          stroke-dasharray="${dash}" points="${pointsAttr(seg)}" />`,
    );
  const mid = points[Math.floor(points.length / 2)]!;
  return h`<figure class="chart level-chart">
    <svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${label}" preserveAspectRatio="none">
      <title>${label}</title>
      ${ticks.map(
        (v) =>
          h`<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v)}" y2="${y(v)}" />
            <text class="axis" x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end">${Math.round(v * 10) / 10}</text>`,
      )}
      <text class="axis" x="${PAD.left}" y="${H - 8}">${points[0]!.day}</text>
      ${points.length > 2 ? h`<text class="axis" x="${x(mid.day)}" y="${H - 8}" text-anchor="middle">${mid.day}</text>` : ''}
      <text class="axis" x="${W - PAD.right}" y="${H - 8}" text-anchor="end">${points[points.length - 1]!.day}</text>
      ${dashed((p) => p.safetyStock, SAFETY_COLOUR, '2 3', 'safety_stock')}
      ${dashed((p) => p.reorderPoint, REORDER_COLOUR, '6 4', 'reorder_point')}
      <polyline class="line series-a" data-series="on_hand" data-points="${points.length}" fill="none"
        stroke-width="2" points="${pointsAttr(onHand)}" />
      ${points.map(
        (p, i) =>
          h`<circle class="dot series-a" cx="${onHand[i]![0].toFixed(1)}" cy="${onHand[i]![1].toFixed(1)}" r="2.5"
            fill="currentColor"><title>${p.day}: ${p.onHand} on hand${
              p.reorderPoint === null ? '' : `, reorder point ${p.reorderPoint.toFixed(1)}`
            }</title></circle>`,
      )}
    </svg>
    <figcaption>
      <span class="key series-a">on hand (end of day)</span>
      <span class="key series-2">reorder point</span>
      <span class="key series-1">safety stock</span>
    </figcaption>
  </figure>`;
}
