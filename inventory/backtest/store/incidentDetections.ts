import type { Knex } from '../../../platform/index.js';
import { severityRankSql } from '../../alerts/index.js';
import { dqDetector, type Detection, type LabelCase, type Place } from '../matchIncidents.js';

const DAY_MS = 86_400_000;
const ms = (d: Date | string | null): number | null => (d === null ? null : new Date(d).getTime());

/** Every row of inventory.incident_labels, with the lead time of its product (stock-out warnings). */
export async function readLabelCases(knex: Knex): Promise<LabelCase[]> {
  const { rows } = await knex.raw(`
    SELECT l.incident_id, l.incident_type, l.sku, l.warehouse_id, l.started_at, l.ended_at,
           coalesce(l.detail->'also', '[]'::jsonb) AS also, l.detail->>'surge_start' AS surge_start,
           l.detail->>'withheld_at' AS withheld_at, l.detail->>'subject' AS subject,
           l.detail->>'created_at' AS created_at,
           p.lead_time_days
    FROM inventory.incident_labels l LEFT JOIN inventory.products p ON p.sku = l.sku
    ORDER BY l.started_at, l.incident_id`);
  return rows.map((r: Record<string, unknown>): LabelCase => ({
    id: r.incident_id as string,
    type: r.incident_type as string,
    sku: r.sku as string | null,
    warehouse_id: r.warehouse_id as string,
    start: ms(r.started_at as Date)!,
    end: ms(r.ended_at as Date | null),
    also: r.also as string[],
    early_ms: ((r.lead_time_days as number | null) ?? 0) * DAY_MS,
    surge_start: ms((r.surge_start as string | null) ?? null),
    withheld_at: ms((r.withheld_at as string | null) ?? null),
    subject: (r.subject as string | null) ?? null,
    created_at: ms((r.created_at as string | null) ?? null),
  }));
}

/** Time of the newest transaction: the end of the data set (labels with no end last until then). */
export async function ledgerEnd(knex: Knex): Promise<number | null> {
  const { rows } = await knex.raw('SELECT max(occurred_at) AS at FROM inventory.inventory_transactions');
  return ms(rows[0].at);
}

/** Every rule hit of the stream (`analytics.anomalies`, low severity included), at its event's time. */
export async function readAnomalyDetections(knex: Knex): Promise<Detection[]> {
  const { rows } = await knex.raw(
    'SELECT anomaly_type, sku, warehouse_id, occurred_at FROM analytics.anomalies ORDER BY occurred_at, id',
  );
  return rows.map((r: Record<string, unknown>): Detection => ({
    detector: r.anomaly_type as string,
    at: ms(r.occurred_at as Date)!,
    places: [{ sku: r.sku as string, warehouse_id: r.warehouse_id as string }],
  }));
}

/** A row of `analytics.alerts` at its event time, in the terms scoring and the cooldown need. */
export interface TimedAlert {
  alert_type: string;
  source: string;
  sku: string | null;
  warehouse_id: string | null;
  /** A subject alert's subject (an order, a shipment, an audited entity). */
  subject_id: string | null;
  dedup_key: string;
  rank: number;
  /** Event time, epoch ms: the causing event (stream), `as_of` (low stock), the check's interval end (DQ). */
  at: number;
  /** DATA_QUALITY alerts: the rule. */
  rule_id: string | null;
}

/**
 * Every alert with the event time it speaks for (its `created_at` is the wall-clock time of the
 * replay, which says nothing): its `opened_at` (docs/SPEC.md §5a), which is the causing event's
 * time for the stream, `as_of` for LOW_STOCK and the check's interval end for DATA_QUALITY.
 */
export async function readTimedAlerts(knex: Knex): Promise<TimedAlert[]> {
  const { rows } = await knex.raw(`
    SELECT a.alert_type, a.source, a.sku, a.warehouse_id, a.subject_id, a.dedup_key,
           ${severityRankSql('a.severity')} AS rank,
           coalesce(a.opened_at, t.occurred_at, (a.details->>'as_of')::timestamptz, q.interval_end, a.created_at) AS at,
           a.details->>'rule_id' AS rule_id
    FROM analytics.alerts a
    LEFT JOIN inventory.inventory_transactions t
      ON a.source = 'streaming' AND t.event_id = (a.details->>'eventId')::uuid
    LEFT JOIN analytics.data_quality_runs q ON q.check_run_key = a.details->>'check_run_key'
    ORDER BY 8, a.id`);
  return rows.map((r: Record<string, unknown>) => ({ ...r, at: ms(r.at as Date)! }) as TimedAlert);
}

/** The places a data-quality sample names: rows with a warehouse_id (and a sku, for a pair). */
function samplePlaces(sample: unknown, failing: number): Place[] | null {
  if (!Array.isArray(sample) || sample.length < failing) return null;
  const places: Place[] = [];
  for (const row of sample as Array<Record<string, unknown>>) {
    if (typeof row?.warehouse_id !== 'string') return null;
    places.push({ sku: typeof row.sku === 'string' ? row.sku : null, warehouse_id: row.warehouse_id });
  }
  return places;
}

/**
 * Every failing data-quality result, at the end of its check run's interval: detector
 * `DQ_<RULE_ID>`, the places its sample names (null when the sample was cut at ten rows or names
 * no warehouse: then it could be any).
 */
export async function readQualityDetections(knex: Knex): Promise<Detection[]> {
  const { rows } = await knex.raw(`
    SELECT r.rule_id, q.interval_end, r.failing_count::int AS failing_count, r.sample
    FROM analytics.data_quality_results r
    JOIN analytics.data_quality_runs q ON q.check_run_key = r.check_run_key
    WHERE NOT r.passed
    ORDER BY q.interval_end, r.rule_id`);
  return rows.map((r: Record<string, unknown>): Detection => ({
    detector: dqDetector(r.rule_id as string),
    at: ms(r.interval_end as Date)!,
    places: samplePlaces(r.sample, r.failing_count as number),
  }));
}
