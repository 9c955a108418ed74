import type { Knex } from 'knex';
import { bind } from '../../../db/index.js';

/** An open alert as a writer folds detections into it. */
export interface OpenAlert {
  alertId: string;
  dedupKey: string;
  severity: string;
  /** Its latest detection, on the lifecycle's clock. */
  lastSeenAt: Date;
}

/**
 * The open alerts of these dedup keys (at most one per key, `alerts_open_dedup_key`), for a writer
 * that keeps the lifecycle in memory while it works through a batch (the fulfilment chunks).
 */
export async function loadOpenAlerts(
  knex: Knex | Knex.Transaction,
  keys: readonly string[],
): Promise<Map<string, OpenAlert>> {
  const out = new Map<string, OpenAlert>();
  if (keys.length === 0) return out;
  const { rows } = await knex.raw<{
    rows: Array<{ alert_id: string; dedup_key: string; severity: string; last_seen_at: Date }>;
  }>(
    `SELECT alert_id, dedup_key, severity, last_seen_at FROM analytics.alerts
      WHERE resolved_at IS NULL AND dedup_key = ANY(?::text[])`,
    bind([...new Set(keys)]),
  );
  for (const r of rows)
    out.set(r.dedup_key, {
      alertId: r.alert_id,
      dedupKey: r.dedup_key,
      severity: r.severity,
      lastSeenAt: r.last_seen_at,
    });
  return out;
}
