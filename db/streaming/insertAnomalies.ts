import type { Knex } from 'knex';
import { bind } from './bindings.js';

export interface AnomalyRow {
  eventId: string;
  sku: string;
  warehouseId: string;
  anomalyType: string;
  severity: string;
  riskScore: number;
  details: Record<string, unknown>;
  occurredAt: Date;
}

/**
 * Stores anomalies; `UNIQUE (event_id, anomaly_type)` makes a replay a no-op. Returns how many
 * rows were new.
 */
export async function insertAnomalies(
  trx: Knex.Transaction,
  anomalies: readonly AnomalyRow[],
): Promise<number> {
  if (anomalies.length === 0) return 0;
  const result = await trx.raw(
    `INSERT INTO analytics.anomalies (event_id, sku, warehouse_id, anomaly_type, severity, risk_score, details, occurred_at)
     SELECT * FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::float8[], ?::jsonb[], ?::timestamptz[])
     ON CONFLICT (event_id, anomaly_type) DO NOTHING`,
    bind(
      anomalies.map((a) => a.eventId),
      anomalies.map((a) => a.sku),
      anomalies.map((a) => a.warehouseId),
      anomalies.map((a) => a.anomalyType),
      anomalies.map((a) => a.severity),
      anomalies.map((a) => a.riskScore),
      anomalies.map((a) => JSON.stringify(a.details)),
      anomalies.map((a) => a.occurredAt.toISOString()),
    ),
  );
  return (result as { rowCount: number }).rowCount;
}
