import type { Severity } from '../../inventory/alerts/index.js';
import type { AnomalyType } from '../../inventory/rules/index.js';

/** A stored anomaly: a row of `analytics.anomalies` as read back (`listAnomalies`). */
export interface AnomalyRow {
  id: number;
  /** The public id, derived from the event and the rule (streaming/pipeline/causeIds.ts). */
  anomaly_id: string;
  event_id: string;
  sku: string;
  warehouse_id: string;
  /** One of `ANOMALY_TYPES` (the column itself is free text). */
  anomaly_type: string;
  severity: string;
  risk_score: number;
  details: Record<string, unknown>;
  occurred_at: Date;
  detected_at: Date;
}

/** An anomaly the chunk write inserts (`writeChunkOutputs`). */
export interface NewAnomaly {
  /** Derived from the event and the rule, so a retried chunk writes the same id. */
  anomalyId: string;
  eventId: string;
  sku: string;
  warehouseId: string;
  anomalyType: AnomalyType;
  severity: Severity;
  riskScore: number;
  details: Record<string, unknown>;
  occurredAt: Date;
}
