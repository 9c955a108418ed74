import type { Knex } from '../../../platform/index.js';
import type { NewAlert, OpenAlertUpdate } from '../alertRow.js';
import type { AlertSource, AlertType } from '../kinds.js';
import { sqlLiteral } from '../dedupKey.js';
import { severityRankSql } from '../severity.js';

/**
 * Every write of a detection into `analytics.alerts` is built here. An alert is an incident per
 * dedup key: at most one row per key is open (the partial unique index `alerts_open_dedup_key`),
 * so every INSERT is an upsert on that index — a detection whose key is already open folds into
 * the open row (`MERGE_INTO_OPEN`) instead of adding one, race-free between concurrent writers.
 * Shapes: rows given by the caller (`insertAlerts`, or `INSERT_ALERTS_SQL` inside a larger
 * statement), rows computed by a set-based `INSERT … SELECT` (`insertAlertsSelect`, the DAGs),
 * and updates of open rows by key (`UPDATE_OPEN_ALERTS_SQL`, the stream's running incidents).
 */

/**
 * How a detection (`x`) folds into the open row of its key (`analytics.alerts AS a`): the
 * severity only rises, the message and details follow the worst detection (details merged, so
 * keys a writer added later — `notified_at` — survive a repeat but not an escalation), last seen
 * and occurrences move on. The opening, the alert id and an acknowledgement stay.
 */
function mergeInto(x: string): string {
  const rx = severityRankSql(`${x}.severity`);
  const ra = severityRankSql('a.severity');
  return `severity = CASE WHEN ${rx} > ${ra} THEN ${x}.severity ELSE a.severity END,
         message = CASE WHEN ${rx} >= ${ra} THEN coalesce(${x}.message, a.message) ELSE a.message END,
         details = CASE WHEN ${x}.details IS NULL THEN a.details
                        WHEN ${rx} > ${ra} THEN ${x}.details
                        WHEN ${rx} = ${ra} THEN a.details || ${x}.details
                        ELSE a.details END,
         last_seen_at = greatest(a.last_seen_at, ${x}.last_seen_at),
         occurrences = a.occurrences + ${x}.occurrences`;
}

/**
 * The conflict clause of every insert: a detection of an open key updates that row — unless it
 * is not newer than the row's last detection and not more severe (a rerun of the same DAG
 * interval, a repeated statement), which changes nothing.
 */
const ON_OPEN_CONFLICT = `ON CONFLICT (dedup_key) WHERE resolved_at IS NULL DO UPDATE SET
         ${mergeInto('excluded')}
       WHERE excluded.last_seen_at > a.last_seen_at
          OR ${severityRankSql('excluded.severity')} > ${severityRankSql('a.severity')}`;

/**
 * What every insert returns per row it wrote: its key, severity and whether it `opened` a new
 * incident (else it folded into the open one; `xmax` is 0 only on a freshly inserted row).
 */
const RETURNING = `RETURNING a.alert_id, a.dedup_key, a.severity, (a.xmax = 0) AS opened`;

/**
 * Inserts the alerts of ONE JSON parameter (`alertsParam(rows)`), in their order, as an upsert on
 * the open alert of each key; an `alert_id` already stored is skipped, so a replay is a no-op.
 * Rows of one statement must not share an open key (ON CONFLICT cannot touch a row twice).
 * Returns `RETURNING`'s columns. A statement of its own or one CTE of a larger one.
 *
 * The `OFFSET 0` keeps the stored-id check a probe of `alerts_alert_id_key` per row: as an
 * anti-join the planner hashed the whole table instead (it counts on the JSON's 100 rows, and on
 * a table without statistics), at every call — the stream inserts new alerts in most chunks.
 */
export const INSERT_ALERTS_SQL = `INSERT INTO analytics.alerts AS a
         (alert_id, alert_type, severity, source, sku, warehouse_id, subject_type, subject_id, message, details,
          dedup_key, opened_at, last_seen_at, occurrences, resolved_at, resolution)
       SELECT alert_id, alert_type, severity, source, sku, warehouse_id, subject_type, subject_id, message, details,
              dedup_key, coalesce(opened_at, now()), coalesce(last_seen_at, opened_at, now()),
              coalesce(occurrences, 1), resolved_at, resolution
         FROM ROWS FROM (json_to_recordset(?::json)
                AS (alert_id uuid, alert_type text, severity text, source text, sku text, warehouse_id text,
                    subject_type text, subject_id text, message text, details jsonb, dedup_key text,
                    opened_at timestamptz, last_seen_at timestamptz, occurrences int, resolved_at timestamptz,
                    resolution text))
              WITH ORDINALITY AS t(alert_id, alert_type, severity, source, sku, warehouse_id, subject_type,
                                   subject_id, message, details, dedup_key, opened_at, last_seen_at, occurrences,
                                   resolved_at, resolution, ord)
        WHERE NOT EXISTS (SELECT 1 FROM analytics.alerts s WHERE s.alert_id = t.alert_id OFFSET 0)
        ORDER BY ord
       ${ON_OPEN_CONFLICT}
       ${RETURNING}`;

/**
 * The binding of `INSERT_ALERTS_SQL`: one JSON document for all rows (JSON.stringify is native,
 * where the driver would escape every element of many arrays in JS).
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
      subject_type: x.subject?.type ?? null,
      subject_id: x.subject?.id ?? null,
      message: x.message,
      details: x.details,
      dedup_key: x.dedupKey,
      opened_at: x.openedAt ?? null,
      last_seen_at: x.lastSeenAt ?? null,
      occurrences: x.occurrences ?? null,
      resolved_at: x.resolvedAt ?? null,
      resolution: x.resolvedAt ? (x.resolution ?? 'cleared') : null,
    })),
  );
}

/** A row written by an insert: its key, and whether it opened a new incident. */
export interface WrittenAlert {
  alert_id: string;
  dedup_key: string;
  severity: string;
  opened: boolean;
}

/**
 * Whether `rows` can go in as ONE `INSERT_ALERTS_SQL` (no open key twice: a statement may fold
 * into an open alert only once), as a CTE of a larger statement, say.
 */
export function insertableAtOnce(rows: readonly NewAlert[]): boolean {
  const keys = new Set<string>();
  for (const row of rows) {
    if (row.resolvedAt) continue;
    if (keys.has(row.dedupKey)) return false;
    keys.add(row.dedupKey);
  }
  return true;
}

/**
 * Inserts `rows` in order; returns what was written (new incidents have `opened`). One statement,
 * or one more each time a row repeats the open key of an earlier one (a statement may fold into
 * an open alert only once).
 */
export async function insertAlerts(knex: Knex, rows: readonly NewAlert[]): Promise<WrittenAlert[]> {
  const written: WrittenAlert[] = [];
  let batch: NewAlert[] = [];
  const keys = new Set<string>();
  const flush = async () => {
    if (batch.length === 0) return;
    const { rows: out } = await knex.raw<{ rows: WrittenAlert[] }>(INSERT_ALERTS_SQL, [alertsParam(batch)]);
    written.push(...out);
    batch = [];
    keys.clear();
  };
  for (const row of rows) {
    const open = !row.resolvedAt;
    if (open && keys.has(row.dedupKey)) await flush();
    if (open) keys.add(row.dedupKey);
    batch.push(row);
  }
  await flush();
  return written;
}

/**
 * Folds updates into the open alert of each key (`openUpdatesParam(updates)`, at most one per
 * key): detections as `mergeInto` says, and a resolution when one is given. A key with no open
 * row (resolved meanwhile by someone else) is left alone. Returns the keys it updated.
 *
 * The rows are found through `alerts_dedup_idx` by the keys given: joined on the key alone, the
 * planner hashed every open alert with its details (it counts on the JSON's 100 rows, and without
 * statistics on a few open alerts), which at a steady stream with a thousand open incidents cost
 * more than the rest of the chunk's statements. "Open" is written so that it matches neither
 * partial index (`resolved_at IS NULL` would let the planner scan all open alerts through
 * `alerts_open_idx` instead). Plan it with the table's current size (not as a prepared statement
 * planned while the table was small): then a table of a few pages is simply scanned.
 */
export const UPDATE_OPEN_ALERTS_SQL = `WITH t AS (
         SELECT * FROM json_to_recordset(?::json)
           AS t(dedup_key text, severity text, message text, details jsonb, last_seen_at timestamptz,
                occurrences int, resolved_at timestamptz, resolution text)
       )
       UPDATE analytics.alerts AS a SET
         ${mergeInto('t')},
         resolved_at = t.resolved_at, resolution = t.resolution
       FROM t
      WHERE a.dedup_key = t.dedup_key AND a.dedup_key = ANY (ARRAY(SELECT dedup_key FROM t))
        AND coalesce(a.resolved_at, 'infinity') = 'infinity'
      RETURNING a.dedup_key`;

export function openUpdatesParam(updates: readonly OpenAlertUpdate[]): string {
  return JSON.stringify(
    updates.map((u) => ({
      dedup_key: u.dedupKey,
      severity: u.severity,
      message: u.message,
      details: u.details,
      last_seen_at: u.lastSeenAt,
      occurrences: u.occurrences,
      resolved_at: u.resolvedAt,
      resolution: u.resolvedAt ? (u.resolution ?? 'cleared') : null,
    })),
  );
}

/** Applies `updates` (one statement); returns the keys whose open alert was updated. */
export async function updateOpenAlerts(knex: Knex, updates: readonly OpenAlertUpdate[]): Promise<string[]> {
  if (updates.length === 0) return [];
  const { rows } = await knex.raw<{ rows: Array<{ dedup_key: string }> }>(UPDATE_OPEN_ALERTS_SQL, [
    openUpdatesParam(updates),
  ]);
  return rows.map((r) => r.dedup_key);
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
  /** The detection's instant (the run's as-of), opening and last-seen time. @defaultValue now() */
  seenAt?: string;
}

/**
 * `INSERT INTO analytics.alerts AS a (…) SELECT …` for `select`, followed by `rest` (the FROM
 * clause and WHERE; no RETURNING), then the upsert on the open alert of each key, returning each
 * row written with `opened` (a new incident; else it folded into the open one). `alert_id` and `created_at` take their
 * column defaults. The SELECT must not yield two rows of one key.
 */
export function insertAlertsSelect(select: AlertSelect, rest: string): string {
  const seen = select.seenAt ?? 'now()';
  return `INSERT INTO analytics.alerts AS a
        (alert_type, severity, source, sku, warehouse_id, message, details, dedup_key, opened_at, last_seen_at)
      SELECT ${sqlLiteral(select.alertType)}, ${select.severity}, ${sqlLiteral(select.source)},
             ${select.sku ?? 'NULL'}, ${select.warehouseId ?? 'NULL'},
             ${select.message},
             ${select.details},
             ${select.dedupKey},
             ${seen}, ${seen}
      ${rest}
      ${ON_OPEN_CONFLICT}
      RETURNING a.*, (a.xmax = 0) AS opened`;
}
