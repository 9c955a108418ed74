/**
 * Ground truth for alert evaluation: the incidents a history was given on purpose, and every real
 * stock-out it holds. See LABELS.md beside this file for how each one is shaped.
 */
import { ANOMALY_TYPES } from '../rules/index.js';
import { Rng } from './random.js';

/**
 * Data-quality faults a generated ledger can carry (SPEC §6; rule ids of the data_quality DAG).
 * The others (orphan references, invalid transactions) are refused by the schema's constraints.
 */
export const DQ_FAULTS = [
  'duplicate_transactions',
  'on_hand_mismatch',
  'ingestion_gap',
  'negative_on_hand',
] as const;
export type DqFault = (typeof DQ_FAULTS)[number];

export const INCIDENT_TYPES = [
  ...ANOMALY_TYPES,
  'STOCKOUT',
  'DQ_DUPLICATE_TRANSACTIONS',
  'DQ_ON_HAND_MISMATCH',
  'DQ_INGESTION_GAP',
  'DQ_NEGATIVE_ON_HAND',
  // The order, shipment and audit streams (inventory/fulfilment/CONTRACT.md §10).
  'LATE_DISPATCH',
  'SHIPMENT_EXCEPTION',
  'AUDIT_POLICY',
] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

/** The label type of a data-quality fault: `DQ_` and the rule id in capitals. */
export function dqType(rule: DqFault): IncidentType {
  return `DQ_${rule.toUpperCase()}` as IncidentType;
}

/** One labelled incident (a row of inventory.incident_labels). */
export interface IncidentLabel {
  /** Deterministic for the seed, the type, the pair, the start and the subject (if any). */
  incident_id: string;
  type: IncidentType;
  /** Null for a warehouse-wide incident (an ingestion gap). */
  sku: string | null;
  warehouse_id: string;
  start: Date;
  /** Inclusive; null while the fault is still in the data when the history ends. */
  end: Date | null;
  /**
   * Facts of the incident: always `also` (other rules and alerts the incident rightly trips, so
   * they are not false positives) and the type's own fields (LABELS.md).
   */
  detail: { also: string[] } & Record<string, unknown>;
}

export function makeLabel(
  seed: number,
  type: IncidentType,
  where: { sku: string | null; warehouse_id: string },
  start: number,
  end: number | null,
  detail: IncidentLabel['detail'],
): IncidentLabel {
  // A subject (an order, a shipment, an audited entity) is part of the id: a pair's orders of one
  // day share their promise, the start of their LATE_DISPATCH labels.
  const subject = typeof detail.subject === 'string' ? [detail.subject] : [];
  return {
    incident_id: new Rng(seed, 'label', type, where.sku ?? '*', where.warehouse_id, start, ...subject).uuid(),
    type,
    sku: where.sku,
    warehouse_id: where.warehouse_id,
    start: new Date(start),
    end: end === null ? null : new Date(end),
    detail,
  };
}

/** Label counts per type (every type present, zeros included), for summaries. */
export function countLabels(labels: Iterable<IncidentLabel>): Record<IncidentType, number> {
  const counts = Object.fromEntries(INCIDENT_TYPES.map((t) => [t, 0])) as Record<IncidentType, number>;
  for (const l of labels) counts[l.type]++;
  return counts;
}
