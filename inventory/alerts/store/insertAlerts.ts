import type { Knex } from '../../../platform/index.js';
import type { NewAlert } from '../alertRow.js';
import type { AlertSource, AlertType } from '../kinds.js';
import { sqlLiteral } from '../dedupKey.js';

/**
 * Every INSERT into `analytics.alerts` is built here. Two shapes: rows given by the caller
 * (`insertAlerts`, or `INSERT_ALERTS_SQL` inside a larger statement such as the sidecar's chunk
 * write), and rows computed by a set-based `INSERT … SELECT` (`insertAlertsSelect`, the DAGs).
 */

/**
 * Inserts the alerts of ONE JSON parameter (`alertsParam(rows)`), in their order; an `alert_id`
 * already stored is skipped, so a replay is a no-op. A data-modifying statement that can stand
 * alone or be one CTE of a larger statement (bind `alertsParam` where its `?` sits).
 */
export const INSERT_ALERTS_SQL = `INSERT INTO analytics.alerts
         (alert_id, alert_type, severity, source, sku, warehouse_id, message, details, dedup_key)
       SELECT alert_id, alert_type, severity, source, sku, warehouse_id, message, details, dedup_key
         FROM ROWS FROM (json_to_recordset(?::json)
                AS (alert_id uuid, alert_type text, severity text, source text, sku text, warehouse_id text,
                    message text, details jsonb, dedup_key text))
              WITH ORDINALITY AS t(alert_id, alert_type, severity, source, sku, warehouse_id, message, details,
                                   dedup_key, ord)
        ORDER BY ord
       ON CONFLICT (alert_id) DO NOTHING`;

/**
 * The binding of `INSERT_ALERTS_SQL`: one JSON document for all rows (JSON.stringify is native,
 * where the driver would escape every element of nine arrays in JS).
 */
export function alertsParam(rows: readonly NewAlert[]): string {
  return JSON.stringify(
    rows.map((x) => ({
      alert_id: x.alertId,
      alert_type: x.alertType,
      severity: x.severity,
      source: x.source,
      sku: x.sku,
      warehouse_id: x.warehouseId,
      message: x.message,
      details: x.details,
      dedup_key: x.dedupKey,
    })),
  );
}

/** Inserts `rows` (one statement); returns how many were new. */
export async function insertAlerts(knex: Knex, rows: readonly NewAlert[]): Promise<number> {
  if (rows.length === 0) return 0;
  const { rowCount } = await knex.raw<{ rowCount: number }>(INSERT_ALERTS_SQL, [alertsParam(rows)]);
  return rowCount;
}

/**
 * The columns of a set-based insert, each an SQL expression over the SELECT's rows — except
 * `alertType` and `source`, constants quoted here. Build `dedupKey` with `dedupKeySql`.
 */
export interface AlertSelect {
  alertType: AlertType;
  source: AlertSource;
  severity: string;
  /** @defaultValue NULL (an alert about no pair) */
  sku?: string;
  /** @defaultValue NULL */
  warehouseId?: string;
  message: string;
  details: string;
  dedupKey: string;
}

/**
 * `INSERT INTO analytics.alerts (…) SELECT …` for `select`, followed by `rest` (the FROM clause,
 * and WHERE and RETURNING as needed). `alert_id` and `created_at` take their column defaults.
 */
export function insertAlertsSelect(select: AlertSelect, rest: string): string {
  return `INSERT INTO analytics.alerts (alert_type, severity, source, sku, warehouse_id, message, details, dedup_key)
      SELECT ${sqlLiteral(select.alertType)}, ${select.severity}, ${sqlLiteral(select.source)},
             ${select.sku ?? 'NULL'}, ${select.warehouseId ?? 'NULL'},
             ${select.message},
             ${select.details},
             ${select.dedupKey}
      ${rest}`;
}
