import type { LowStockAlertRow } from './store/index.js';
import { escapeHtml } from '../../platform/index.js';

export interface Digest {
  subject: string;
  text: string;
  html: string;
}

const percent = (x: number) => `${(100 * x).toFixed(1)} %`;

/** One e-mail for every new low-stock alert: a plain-text list and the same as an HTML table. */
export function renderLowStockDigest(alerts: readonly LowStockAlertRow[], asOf: Date): Digest {
  const counts = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const a of alerts) counts[a.severity]++;
  const summary = (['critical', 'high', 'medium', 'low'] as const)
    .filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`)
    .join(', ');
  const subject = `[wareflow] Low stock: ${alerts.length} item${alerts.length === 1 ? '' : 's'} (${summary})`;
  const header = [
    'Severity',
    'SKU',
    'Warehouse',
    'Available',
    'Reorder point',
    'Stock-out probability',
    'Reorder qty',
  ];
  const cells = (a: LowStockAlertRow) => [
    a.severity.toUpperCase(),
    a.sku,
    a.warehouse_id,
    String(a.available),
    a.reorder_point.toFixed(1),
    percent(a.stockout_probability ?? a.stockout_risk),
    String(a.reorder_quantity),
  ];
  const text = [
    `Low-stock digest as of ${asOf.toISOString()}: ${summary}.`,
    '',
    ...alerts.map((a) => cells(a).join(' | ')),
    '',
    'Reorder recommendations were published to reorder-events.',
  ].join('\n');
  const colour = { critical: '#b71c1c', high: '#e65100', medium: '#f9a825', low: '#607d8b' };
  const html = `<!doctype html><html><body style="font-family: sans-serif">
<h2>Low-stock digest</h2>
<p>As of ${escapeHtml(asOf.toISOString())}: ${escapeHtml(summary)}.</p>
<table border="1" cellpadding="4" cellspacing="0" style="border-collapse: collapse">
<thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>
${alerts
  .map(
    (a) =>
      `<tr>${cells(a)
        .map((c, i) =>
          i === 0
            ? `<td style="color: ${colour[a.severity]}"><b>${escapeHtml(c)}</b></td>`
            : `<td>${escapeHtml(c)}</td>`,
        )
        .join('')}</tr>`,
  )
  .join('\n')}
</tbody></table>
<p>Reorder recommendations were published to reorder-events.</p>
</body></html>`;
  return { subject, text, html };
}
