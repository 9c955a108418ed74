import type { Knex } from 'knex';
import type { AlertRow } from '../alertRow.js';
import { sqlLiteral } from '../dedupKey.js';
import { ALERT_SOURCES, QUIET_ALERT_TYPES } from '../kinds.js';
import { ANOMALY_QUIET_MS, RESOLUTIONS } from '../lifecycle.js';

/**
 * Resolves the stream's instant alerts (`QUIET_ALERT_TYPES`: the anomaly rules, out-of-policy
 * audit changes) whose last detection is at least `quietMs` before `asOf`: the sweep for pairs
 * and entities that had no later event to resolve them on. `resolved_at` is the last detection
 * plus `quietMs` — the instant the stream itself writes — so who resolves does not change the
 * lifecycle. Returns how many it resolved.
 */
export async function resolveQuietAlerts(
  knex: Knex,
  options: { asOf: Date; quietMs?: number },
): Promise<number> {
  const quietMs = options.quietMs ?? ANOMALY_QUIET_MS;
  const { rowCount } = await knex.raw<{ rowCount: number }>(
    `UPDATE analytics.alerts
        SET resolved_at = last_seen_at + make_interval(secs => :quiet / 1000.0), resolution = :quietReason
      WHERE resolved_at IS NULL AND source = :source AND alert_type IN (${QUIET_ALERT_TYPES.map(sqlLiteral).join(', ')})
        AND last_seen_at + make_interval(secs => :quiet / 1000.0) <= :asOf::timestamptz`,
    {
      quiet: quietMs,
      quietReason: RESOLUTIONS.quiet,
      source: ALERT_SOURCES.streaming,
      asOf: options.asOf,
    },
  );
  return rowCount;
}

/** What an acknowledgement found: the alert as it is now, unless no alert has that id. */
export type AcknowledgeOutcome =
  { outcome: 'acknowledged' | 'already' | 'resolved'; alert: AlertRow } | { outcome: 'missing' };

/**
 * Acknowledges the open alert `alertId` for `by` (sets `acknowledged_at`/`acknowledged_by`).
 * It stays open until its condition clears; repeats at the same severity never mail anyway, an
 * escalation still does. An alert acknowledged before keeps its first acknowledgement
 * (`already`); a resolved one is left as it is (`resolved`).
 */
export async function acknowledgeAlert(
  knex: Knex,
  alertId: string,
  by: string,
  at: Date = new Date(),
): Promise<AcknowledgeOutcome> {
  const [updated] = await knex<AlertRow>('analytics.alerts')
    .update({ acknowledged_at: at, acknowledged_by: by })
    .where({ alert_id: alertId })
    .whereNull('acknowledged_at')
    .whereNull('resolved_at')
    .returning('*');
  if (updated) return { outcome: 'acknowledged', alert: updated };
  const alert = await knex<AlertRow>('analytics.alerts').where({ alert_id: alertId }).first();
  if (!alert) return { outcome: 'missing' };
  return { outcome: alert.resolved_at ? 'resolved' : 'already', alert };
}

export interface OpenAlertQuery {
  /** Count what was open at this instant (opened at or before it, not resolved by it). @defaultValue now: every unresolved alert */
  at?: Date;
  source?: string;
  alertType?: string;
}

/**
 * Alerts open at `at` (or now), for `wareflow eval alerts` and the page headers: one per open
 * incident, on the lifecycle's clock (`opened_at`, `resolved_at`).
 */
export async function countOpenAlerts(knex: Knex, query: OpenAlertQuery = {}): Promise<number> {
  const q = knex('analytics.alerts').count<Array<{ n: string }>>({ n: '*' });
  if (query.at) {
    q.where('opened_at', '<=', query.at).andWhere((w) =>
      w.whereNull('resolved_at').orWhere('resolved_at', '>', query.at!),
    );
  } else q.whereNull('resolved_at');
  if (query.source) q.where('source', query.source);
  if (query.alertType) q.where('alert_type', query.alertType);
  const [row] = await q;
  return Number(row?.n ?? 0);
}

/** An alert's life: when it opened, was last seen and resolved. */
export type AlertLifecycle = Pick<
  AlertRow,
  | 'alert_id'
  | 'alert_type'
  | 'severity'
  | 'source'
  | 'sku'
  | 'warehouse_id'
  | 'subject_type'
  | 'subject_id'
  | 'dedup_key'
  | 'opened_at'
  | 'last_seen_at'
  | 'occurrences'
  | 'acknowledged_at'
  | 'resolved_at'
  | 'resolution'
>;

/**
 * Every alert whose life overlaps [from, to) — opened before `to`, not resolved before `from` —
 * oldest opening first, for evaluations that join alerts to labelled incidents.
 */
export function listAlertLifecycles(
  knex: Knex,
  range: { from?: Date; to?: Date; source?: string } = {},
): Promise<AlertLifecycle[]> {
  const q = knex('analytics.alerts').select<AlertLifecycle[]>(
    'alert_id',
    'alert_type',
    'severity',
    'source',
    'sku',
    'warehouse_id',
    'subject_type',
    'subject_id',
    'dedup_key',
    'opened_at',
    'last_seen_at',
    'occurrences',
    'acknowledged_at',
    'resolved_at',
    'resolution',
  );
  if (range.to) q.where('opened_at', '<', range.to);
  if (range.from) q.andWhere((w) => w.whereNull('resolved_at').orWhere('resolved_at', '>=', range.from!));
  if (range.source) q.where('source', range.source);
  return q.orderBy([{ column: 'opened_at' }, { column: 'id' }]);
}
