import type { Knex } from 'knex';
import { fetchPage, type Page, type PageRequest } from '../../../db/index.js';
import type { AlertRow } from '../alertRow.js';
import { severityRankSql } from '../severity.js';

/** Re-exported for readers that import this file directly; the type lives in ../alertRow.ts. */
export type { AlertRow };

export interface AlertFilter {
  /** open: not resolved. @defaultValue 'open' */
  status?: 'open' | 'resolved' | 'all';
  severity?: string;
  alertType?: string;
  source?: string;
  sku?: string;
  warehouseId?: string;
  since?: Date;
}

/** Alerts, most severe then newest first (open ones use the partial index alerts_open_idx). */
export function listAlerts(knex: Knex, filter: AlertFilter, page: PageRequest): Promise<Page<AlertRow>> {
  const q = knex('analytics.alerts').select('*');
  const status = filter.status ?? 'open';
  if (status === 'open') q.whereNull('resolved_at');
  if (status === 'resolved') q.whereNotNull('resolved_at');
  if (filter.severity) q.where('severity', filter.severity);
  if (filter.alertType) q.where('alert_type', filter.alertType);
  if (filter.source) q.where('source', filter.source);
  if (filter.sku) q.where('sku', filter.sku);
  if (filter.warehouseId) q.where('warehouse_id', filter.warehouseId);
  if (filter.since) q.where('created_at', '>=', filter.since);
  q.orderByRaw(`${severityRankSql('severity')} DESC, created_at DESC, id DESC`);
  return fetchPage<AlertRow>(q, page);
}

/** Open alerts per severity, for the page header and the DAG list banner. */
export async function openAlertCounts(knex: Knex): Promise<Record<string, number>> {
  const rows: Array<{ severity: string; n: number }> = await knex('analytics.alerts')
    .select('severity')
    .count({ n: '*' })
    .whereNull('resolved_at')
    .groupBy('severity');
  return Object.fromEntries(rows.map((r) => [r.severity, Number(r.n)]));
}
