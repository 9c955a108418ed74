import type { Knex } from 'knex';
import { bind, fetchPage, type Page, type PageRequest } from '../../../db/index.js';
import type { AlertRow } from '../alertRow.js';
import { SEVERITIES, severityRankSql } from '../severity.js';

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
  /** Subject alerts of this kind only (`order`, `shipment`, `audit_entity`). */
  subjectType?: string;
  /** The alerts of one subject (an order id, a shipment id, `entity:entity_id`). */
  subjectId?: string;
  /** Seen (last detected) at or after this instant. */
  since?: Date;
}

/** The alerts matching `filter` (open by default). */
function filtered(knex: Knex, filter: AlertFilter): Knex.QueryBuilder {
  const q = knex('analytics.alerts').select('*');
  const status = filter.status ?? 'open';
  if (status === 'open') q.whereNull('resolved_at');
  if (status === 'resolved') q.whereNotNull('resolved_at');
  if (filter.severity) q.where('severity', filter.severity);
  if (filter.alertType) q.where('alert_type', filter.alertType);
  if (filter.source) q.where('source', filter.source);
  if (filter.sku) q.where('sku', filter.sku);
  if (filter.warehouseId) q.where('warehouse_id', filter.warehouseId);
  if (filter.subjectType) q.where('subject_type', filter.subjectType);
  if (filter.subjectId) q.where('subject_id', filter.subjectId);
  if (filter.since) q.where('last_seen_at', '>=', filter.since);
  return q;
}

/** Alerts, most severe then latest seen first (open ones use the partial index alerts_open_idx). */
export function listAlerts(knex: Knex, filter: AlertFilter, page: PageRequest): Promise<Page<AlertRow>> {
  const q = filtered(knex, filter).orderByRaw(
    `${severityRankSql('severity')} DESC, last_seen_at DESC, id DESC`,
  );
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

/**
 * The alerts of one pair (sku and warehouse null: alerts about no pair, such as data quality) —
 * or, for subject alerts, of one kind of subject at one pair or warehouse: the orders of a
 * warehouse at risk of a late dispatch, its shipments with an exception, the audited entities of
 * a pair changed outside policy.
 */
export interface AlertGroup {
  sku: string | null;
  warehouse_id: string | null;
  /** Null: the pair's own alerts; else the kind of subject its alerts are about. */
  subject_type: string | null;
  /** Alerts of the pair that match the filter. */
  total: number;
  /** Those alerts per type. */
  by_type: Record<string, number>;
  max_severity: string;
  last_seen_at: Date;
  /** The most severe, then latest, `perGroup` of them. */
  alerts: AlertRow[];
}

/**
 * The Alerts page: alerts matching `filter` (open by default) grouped per pair (and kind of
 * subject, see `AlertGroup`), the groups with
 * the most severe alert first (then the latest seen), each with counts per type, its highest
 * severity, and its first `perGroup` alerts. Pages count groups.
 */
export async function listAlertGroups(
  knex: Knex,
  filter: AlertFilter,
  page: PageRequest,
  perGroup = 20,
): Promise<Page<AlertGroup>> {
  const matching = filtered(knex, filter);
  const groups = knex
    .from(matching.as('m'))
    .select(
      'sku',
      'warehouse_id',
      'subject_type',
      knex.raw('count(*)::int AS total'),
      knex.raw(`max(${severityRankSql('severity')}) AS max_rank`),
      knex.raw('max(last_seen_at) AS last_seen_at'),
    )
    .groupBy('sku', 'warehouse_id', 'subject_type');
  const q = knex
    .from(groups.as('g'))
    .select('g.*')
    .orderByRaw(
      'max_rank DESC, last_seen_at DESC, sku NULLS FIRST, warehouse_id NULLS FIRST, subject_type NULLS FIRST',
    );
  const result = await fetchPage<
    Omit<AlertGroup, 'by_type' | 'max_severity' | 'alerts'> & { max_rank: number }
  >(q, page);
  if (result.items.length === 0) return { ...result, items: [] };
  const groupsOf = result.items;
  const rows: Array<AlertRow & { n: number }> = await filtered(knex, filter)
    .whereRaw(
      `EXISTS (SELECT 1 FROM unnest(?::text[], ?::text[], ?::text[]) AS p(s, w, k)
                WHERE p.s IS NOT DISTINCT FROM sku AND p.w IS NOT DISTINCT FROM warehouse_id
                  AND p.k IS NOT DISTINCT FROM subject_type)`,
      bind(
        groupsOf.map((g) => g.sku),
        groupsOf.map((g) => g.warehouse_id),
        groupsOf.map((g) => g.subject_type),
      ),
    )
    .orderByRaw(`${severityRankSql('severity')} DESC, last_seen_at DESC, id DESC`);
  const key = (sku: string | null, wh: string | null, kind: string | null) =>
    `${sku ?? ''}\u0000${wh ?? ''}\u0000${kind ?? ''}`;
  const byGroup = new Map<string, AlertRow[]>();
  for (const r of rows) {
    const k = key(r.sku, r.warehouse_id, r.subject_type);
    byGroup.set(k, [...(byGroup.get(k) ?? []), r]);
  }
  return {
    ...result,
    items: result.items.map(({ max_rank, ...g }) => {
      const alerts = byGroup.get(key(g.sku, g.warehouse_id, g.subject_type)) ?? [];
      const byType: Record<string, number> = {};
      for (const a of alerts) byType[a.alert_type] = (byType[a.alert_type] ?? 0) + 1;
      return {
        ...g,
        by_type: byType,
        max_severity: SEVERITIES[max_rank] ?? 'low',
        alerts: alerts.slice(0, perGroup),
      };
    }),
  };
}
