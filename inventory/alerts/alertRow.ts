import type { AlertSource, AlertSubjectType, AlertType } from './kinds.js';
import type { Resolution } from './lifecycle.js';
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
  /** What a subject alert is about (`ALERT_SUBJECTS`): an order, a shipment, an audited entity; null for a pair or a rule. */
  subject_type: AlertSubjectType | null;
  /** The order id, shipment id or `entity:entity_id`; null with `subject_type`. */
  subject_id: string | null;
  message: string;
  details: Record<string, unknown>;
  /** See `dedupKey` for the format per source. */
  dedup_key: string;
  /** Wall-clock time the row was inserted. */
  created_at: Date;
  /** When the incident opened, on the lifecycle's clock (event time for the stream). */
  opened_at: Date;
  /** The latest detection while open (same clock). */
  last_seen_at: Date;
  /** Detections folded into this incident, the first included. */
  occurrences: number;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  resolved_at: Date | null;
  /** Why it was resolved; null while open. */
  resolution: Resolution | null;
}

/**
 * An alert about one pair — or one subject (an order, a shipment, an audited entity) — to be
 * inserted row by row (`insertAlerts`, the sidecar's chunk writes).
 */
export interface NewAlert {
  /** Derived from what caused the alert, so a retried chunk publishes and writes the same id. */
  alertId: string;
  alertType: AlertType;
  severity: Severity;
  source: AlertSource;
  /** Null for a subject that is not about one SKU (an order, a shipment). */
  sku: string | null;
  /** Null for a subject of no warehouse (a product edit). */
  warehouseId: string | null;
  /** A subject alert's subject (`ALERT_SUBJECTS`); absent for an alert about a pair. */
  subject?: { type: AlertSubjectType; id: string };
  message: string;
  details: Record<string, unknown>;
  /** `dedupKey(…)` of the alert's subject. */
  dedupKey: string;
  /** When the incident opened (the stream: its cause's event time). @defaultValue now() */
  openedAt?: Date;
  /** Its latest detection. @defaultValue openedAt */
  lastSeenAt?: Date;
  /** Detections it stands for. @defaultValue 1 */
  occurrences?: number;
  /** Set when the incident also resolved before it was written (a chunk spanning its whole life). */
  resolvedAt?: Date | null;
  resolution?: Resolution | null;
}

/**
 * A change to the open alert of `dedupKey` (the stream's incidents that were open before the
 * chunk): more detections, perhaps at a higher severity, and perhaps its resolution.
 */
export interface OpenAlertUpdate {
  dedupKey: string;
  /** The worst severity detected in this update; the stored one only rises. */
  severity: Severity;
  /** Of the worst detection; null when the update only resolves. */
  message: string | null;
  details: Record<string, unknown> | null;
  lastSeenAt: Date;
  /** Detections to add (0: the update only resolves). */
  occurrences: number;
  resolvedAt: Date | null;
  resolution: Resolution | null;
}
