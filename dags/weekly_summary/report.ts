import { escapeHtml } from '../../platform/index.js';
import { addDays } from '../interval.js';
import { fulfilmentHtml, fulfilmentText } from './fulfilmentReport.js';
import type { Kpi, WeeklyMetrics } from './metrics.js';

/** How the report names each KPI. */
export const KPI_LABELS: Readonly<Record<Kpi, string>> = {
  transactions: 'Transactions',
  units_in: 'Units in',
  units_out: 'Units out',
  units_sold: 'Units sold',
  sales_value: 'Sales value',
  turnover: 'Inventory turnover (week)',
  stockout_rate: 'Stock-out rate',
  fill_rate: 'Fill rate',
  dq_score: 'Data-quality score',
};
const PERCENT: ReadonlySet<Kpi> = new Set(['stockout_rate', 'fill_rate']);
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export function formatKpi(kpi: Kpi, value: number | null): string {
  if (value === null) return 'n/a';
  if (PERCENT.has(kpi)) return `${(value * 100).toFixed(1)} %`;
  if (kpi === 'sales_value') return value.toFixed(2);
  if (kpi === 'turnover') return value.toFixed(3);
  return String(Math.round(value * 10) / 10);
}

export function formatChange(change: number | null): string {
  if (change === null) return '–';
  return `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)} %`;
}

/** A bar chart of units sold per day as inline SVG (no script, no external resource). */
export function dailySalesChart(values: readonly number[]): string {
  const width = 420;
  const height = 180;
  const top = 20;
  const bottom = 30;
  const max = Math.max(1, ...values);
  const slot = width / values.length;
  const bars = values
    .map((v, i) => {
      const h = ((height - top - bottom) * v) / max;
      const x = i * slot + slot * 0.15;
      const y = height - bottom - h;
      return (
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="#1976d2"/>` +
        `<text x="${(x + slot * 0.35).toFixed(1)}" y="${(y - 4).toFixed(1)}" font-size="11" text-anchor="middle">${v}</text>` +
        `<text x="${(x + slot * 0.35).toFixed(1)}" y="${height - 10}" font-size="11" text-anchor="middle">${DAYS[i] ?? i}</text>`
      );
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Units sold per day">${bars}</svg>`;
}

/**
 * The weekly report: KPIs with week-over-week change, the daily sales chart, the movers, and the
 * fulfilment figures of each warehouse with theirs.
 */
export function renderWeeklyReport(m: WeeklyMetrics): { subject: string; html: string; text: string } {
  const subject = `[wareflow] Weekly inventory summary ${m.week_start} – ${m.week_end}`;
  const rows = (Object.keys(KPI_LABELS) as Kpi[]).map((k) => [
    KPI_LABELS[k],
    formatKpi(k, m.kpis[k]),
    formatChange(m.week_over_week[k]),
  ]);
  const movers = (title: string, list: WeeklyMetrics['top_movers']) =>
    `<h3>${escapeHtml(title)}</h3>` +
    (list.length === 0
      ? '<p>none</p>'
      : `<ol>${list.map((x) => `<li>${escapeHtml(x.sku)}: ${x.units} units</li>`).join('')}</ol>`);
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family: sans-serif">
<h2>Weekly inventory summary</h2>
<p>Week ${escapeHtml(m.week_start)} to ${escapeHtml(m.week_end)} (UTC).</p>
<table border="1" cellpadding="4" cellspacing="0" style="border-collapse: collapse">
<thead><tr><th>KPI</th><th>This week</th><th>Week over week</th></tr></thead>
<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n')}</tbody>
</table>
<h3>Units sold per day</h3>
${dailySalesChart(m.daily_units_sold)}
${movers('Top movers', m.top_movers)}
${movers('Bottom movers (in stock, fewest sales)', m.bottom_movers)}
<p>Data-quality score from ${m.dq_runs} check run${m.dq_runs === 1 ? '' : 's'}.</p>
${m.fulfilment ? fulfilmentHtml(m.fulfilment, formatChange) : ''}
</body></html>`;
  const text = [
    `Weekly inventory summary ${m.week_start} – ${m.week_end} (UTC)`,
    '',
    ...rows.map(([label, value, change]) => `${label}: ${value} (${change} week over week)`),
    '',
    `Units sold per day (Mon–Sun): ${m.daily_units_sold.join(', ')}`,
    `Top movers: ${m.top_movers.map((x) => `${x.sku} ${x.units}`).join(', ') || 'none'}`,
    `Bottom movers: ${m.bottom_movers.map((x) => `${x.sku} ${x.units}`).join(', ') || 'none'}`,
    ...(m.fulfilment ? ['', ...fulfilmentText(m.fulfilment, formatChange)] : []),
  ].join('\n');
  return { subject, html, text };
}

/** The last day (Sunday) of the week starting on `weekStart`. */
export const weekEndOf = (weekStart: string) => addDays(weekStart, 6);
