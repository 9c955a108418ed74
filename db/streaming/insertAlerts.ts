import type { Knex } from 'knex';
import { bind } from './bindings.js';

export interface AlertRow {
  alertType: string;
  severity: string;
  source: string;
  sku: string;
  warehouseId: string;
  message: string;
  details: Record<string, unknown>;
  dedupKey: string;
}

/** Stores alerts; returns their ids in input order. */
export async function insertAlerts(trx: Knex.Transaction, alerts: readonly AlertRow[]): Promise<number[]> {
  if (alerts.length === 0) return [];
  const { rows } = await trx.raw<{ rows: Array<{ id: number }> }>(
    `INSERT INTO analytics.alerts (alert_type, severity, source, sku, warehouse_id, message, details, dedup_key)
     SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::jsonb[], ?::text[])
     RETURNING id`,
    bind(
      alerts.map((a) => a.alertType),
      alerts.map((a) => a.severity),
      alerts.map((a) => a.source),
      alerts.map((a) => a.sku),
      alerts.map((a) => a.warehouseId),
      alerts.map((a) => a.message),
      alerts.map((a) => JSON.stringify(a.details)),
      alerts.map((a) => a.dedupKey),
    ),
  );
  return rows.map((r) => r.id);
}
