import { escapeHtml } from '../../platform/index.js';
import { FULFILMENT_KPIS, type FulfilmentKpi, type WarehouseFulfilmentWeek } from './fulfilment.js';

/** How the report names each fulfilment figure. */
export const FULFILMENT_KPI_LABELS: Readonly<Record<FulfilmentKpi, string>> = {
  orders_created: 'Orders',
  on_time_dispatch_rate: 'On-time dispatch',
  fill_rate: 'Fill rate (ordered units reserved)',
  backorders: 'Backorders',
  order_to_pick_p50_s: 'Order → pick p50',
  order_to_pick_p95_s: 'Order → pick p95',
  pick_to_dispatch_p50_s: 'Pick → dispatch p50',
  pick_to_dispatch_p95_s: 'Pick → dispatch p95',
  delivery_p50_s: 'Delivery p50',
  delivery_p95_s: 'Delivery p95',
  exceptions: 'Carrier exceptions',
};

/** `92.5 %` for rates, hours for warehouse times, days for the carrier's, whole numbers for counts. */
export function formatFulfilmentKpi(kpi: FulfilmentKpi, value: number | null): string {
  if (value === null) return 'n/a';
  if (kpi.endsWith('_rate')) return `${(value * 100).toFixed(1)} %`;
  if (kpi.startsWith('delivery_')) return `${(value / 86_400).toFixed(1)} d`;
  if (kpi.endsWith('_s')) return `${(value / 3_600).toFixed(1)} h`;
  return String(value);
}

/** Each warehouse's fulfilment week as HTML: a table of figures with their week-over-week change. */
export function fulfilmentHtml(
  weeks: readonly WarehouseFulfilmentWeek[],
  formatChange: (change: number | null) => string,
): string {
  if (weeks.length === 0)
    return '<h3>Fulfilment</h3>\n<p>No orders or shipments this week or the week before.</p>';
  const table = (w: WarehouseFulfilmentWeek) =>
    `<h4>${escapeHtml(w.warehouse_id)}</h4>
<table border="1" cellpadding="4" cellspacing="0" style="border-collapse: collapse" data-warehouse="${escapeHtml(w.warehouse_id)}">
<thead><tr><th>Figure</th><th>This week</th><th>Week over week</th></tr></thead>
<tbody>${FULFILMENT_KPIS.map(
      (k) =>
        `<tr><td>${escapeHtml(FULFILMENT_KPI_LABELS[k])}</td><td>${escapeHtml(formatFulfilmentKpi(k, w.kpis[k]))}</td><td>${escapeHtml(formatChange(w.week_over_week[k]))}</td></tr>`,
    ).join('\n')}</tbody>
</table>`;
  return `<h3>Fulfilment by warehouse</h3>
<p>On time: orders promised in the week that left by their promise. Fill rate: ordered units reserved by the week's end.</p>
${weeks.map(table).join('\n')}`;
}

/** The same as plain-text lines, one block per warehouse. */
export function fulfilmentText(
  weeks: readonly WarehouseFulfilmentWeek[],
  formatChange: (change: number | null) => string,
): string[] {
  if (weeks.length === 0) return ['Fulfilment: no orders or shipments this week or the week before.'];
  return weeks.flatMap((w) => [
    `Fulfilment ${w.warehouse_id}:`,
    ...FULFILMENT_KPIS.map(
      (k) =>
        `  ${FULFILMENT_KPI_LABELS[k]}: ${formatFulfilmentKpi(k, w.kpis[k])} (${formatChange(w.week_over_week[k])} week over week)`,
    ),
  ]);
}
