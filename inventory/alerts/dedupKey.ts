import { ALERT_SOURCES, type FulfilmentAlertType, type StreamAlertType } from './kinds.js';

/**
 * What an alert is about, per source: the parts of its dedup key. `T` is the type of the varying
 * parts — a string value for `dedupKey`, an SQL expression for `dedupKeySql`.
 */
export type DedupSubject<T = string> =
  | { source: typeof ALERT_SOURCES.streaming; alertType: StreamAlertType; sku: T; warehouseId: T }
  | { source: typeof ALERT_SOURCES.streaming; alertType: FulfilmentAlertType; subjectId: T }
  | { source: typeof ALERT_SOURCES.lowStock; sku: T; warehouseId: T }
  | { source: typeof ALERT_SOURCES.dataQuality; ruleId: T };

/**
 * The dedup key of every alert (`analytics.alerts.dedup_key`), the one place its format is
 * written down. Parts are joined with `:`:
 *
 * | source             | key                                   | example                      |
 * | ------------------ | ------------------------------------- | ---------------------------- |
 * | `streaming`        | `{alert_type}:{sku}:{warehouse_id}`   | `STOCKOUT_RISK:SKU-1:WH-1`   |
 * | `streaming`, subject | `{alert_type}:{subject_id}`         | `LATE_DISPATCH_RISK:ORDER-1` |
 * | `low_stock_alerts` | `low_stock:{sku}:{warehouse_id}`      | `low_stock:SKU-1:WH-1`       |
 * | `data_quality`     | `dq:{rule_id}`                        | `dq:negative_reorder_point`  |
 *
 * Each source keeps the text it has always stored: the stream's cooldown (rebuilt from the table
 * when a pair moves), the low-stock cooldown and the data-quality "already alerted in this run"
 * check all look rows up by it, so a changed format would forget every stored alert.
 *
 * A subject alert (an order, a shipment, an audited entity: `ALERT_SUBJECTS`) is keyed by its
 * subject id alone: `ORDER-…`, `SHP-…`, `{entity}:{entity_id}` (`AUDIT_POLICY:stock:SKU-1:WH-1`).
 *
 * The first part is fixed by the subject (a literal), the others vary.
 */
function keyParts<T>(s: DedupSubject<T>): [prefix: string, ...values: T[]] {
  switch (s.source) {
    case ALERT_SOURCES.streaming:
      return 'subjectId' in s ? [s.alertType, s.subjectId] : [s.alertType, s.sku, s.warehouseId];
    case ALERT_SOURCES.lowStock:
      return ['low_stock', s.sku, s.warehouseId];
    case ALERT_SOURCES.dataQuality:
      return ['dq', s.ruleId];
  }
}

/** The dedup key of an alert about `subject` (format: see `keyParts`). */
export function dedupKey(subject: DedupSubject): string {
  return keyParts(subject).join(':');
}

/**
 * The same key as an SQL expression, for set-based `INSERT … SELECT` statements and the lookups
 * that match stored keys: `subject`'s varying parts are SQL expressions (column names,
 * placeholders), trusted text from the caller. `dedupKey` on their values and this expression
 * evaluated by PostgreSQL give the same text (test/inventory/alerts.test.ts) for non-NULL parts
 * (the SQL key of a NULL part is NULL).
 */
export function dedupKeySql(subject: DedupSubject<string>): string {
  const [prefix, ...values] = keyParts(subject);
  return `${sqlLiteral(`${prefix}:`)} || ${values.join(` || ':' || `)}`;
}

/** A string as an SQL literal. */
export function sqlLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
