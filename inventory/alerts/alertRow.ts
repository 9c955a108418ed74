import type { AlertSource, AlertType } from './kinds.js';
import type { Severity } from './severity.js';

/** A stored alert: a row of `analytics.alerts` as read back. */
export interface AlertRow {
  id: number;
  /** The public id (`alertId` on `inventory-alerts`); derived from its cause for streaming alerts. */
  alert_id: string;
  /** One of `ALERT_TYPES` (the column itself is free text). */
  alert_type: string;
  severity: Severity;
  /** One of `ALERT_SOURCES` (the column itself is free text). */
  source: string;
  sku: string | null;
  warehouse_id: string | null;
  message: string;
  details: Record<string, unknown>;
  /** See `dedupKey` for the format per source. */
  dedup_key: string;
  created_at: Date;
  acknowledged_at: Date | null;
  resolved_at: Date | null;
}

/** An alert about one pair, to be inserted row by row (`insertAlerts`, the sidecar's chunk write). */
export interface NewAlert {
  /** Derived from what caused the alert, so a retried chunk publishes and writes the same id. */
  alertId: string;
  alertType: AlertType;
  severity: Severity;
  source: AlertSource;
  sku: string;
  warehouseId: string;
  message: string;
  details: Record<string, unknown>;
  /** `dedupKey(…)` of the alert's subject. */
  dedupKey: string;
}
