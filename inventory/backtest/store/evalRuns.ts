import { bind } from '../../../db/index.js';
import type { Knex } from '../../../platform/index.js';

/** The ledger's size and newest ingestion: what an eval data set is recognised by. */
export interface LedgerFingerprint {
  rows: number;
  ingested_at: string | null;
}

export async function ledgerFingerprint(knex: Knex): Promise<LedgerFingerprint> {
  const { rows } = await knex.raw(`
    SELECT count(*)::bigint AS rows, to_char(max(ingested_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS ingested_at
    FROM inventory.inventory_transactions`);
  return { rows: Number(rows[0].rows), ingested_at: rows[0].ingested_at };
}

/**
 * Whether the ledger is empty or is exactly the one the newest eval run left (same size, same
 * newest ingestion time): then an eval may replace it without being told to.
 */
export async function ledgerIsEvalMade(knex: Knex): Promise<boolean> {
  const now = await ledgerFingerprint(knex);
  if (now.rows === 0) return true;
  const { rows } = await knex.raw(`
    SELECT ledger_rows::bigint AS rows,
           to_char(ledger_ingested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS ingested_at
    FROM inventory.eval_runs ORDER BY id DESC LIMIT 1`);
  const last = rows[0] as { rows: string; ingested_at: string | null } | undefined;
  return last !== undefined && Number(last.rows) === now.rows && last.ingested_at === now.ingested_at;
}

/** Records a finished eval data set with the ledger's fingerprint as it stands now. */
export async function recordEvalRun(
  knex: Knex,
  run: { dataset: 'labelled' | 'clean'; options: object; report: object | null },
): Promise<void> {
  await knex.raw(
    `INSERT INTO inventory.eval_runs (dataset, options, ledger_rows, ledger_ingested_at, report)
     SELECT ?, ?::jsonb, count(*), max(ingested_at), ?::jsonb FROM inventory.inventory_transactions`,
    [run.dataset, JSON.stringify(run.options), run.report === null ? null : JSON.stringify(run.report)],
  );
}

/**
 * Empties every table of the inventory and analytics schemas but `eval_runs`: master data, ledger,
 * levels, labels and everything derived from them, so a data set starts from nothing.
 */
export async function clearWarehouse(knex: Knex): Promise<void> {
  const { rows } = await knex.raw(`
    SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables
    WHERE schemaname IN ('inventory', 'analytics') AND NOT (schemaname = 'inventory' AND tablename = 'eval_runs')
    ORDER BY 1`);
  if (rows.length === 0) return;
  await knex.raw(`TRUNCATE ${rows.map((r: { name: string }) => r.name).join(', ')} RESTART IDENTITY CASCADE`);
}

/** A ledger row of the initial load (`loadOpeningStock`). */
export interface OpeningRow {
  event_id: string;
  sku: string;
  warehouse_id: string;
  event_type: string;
  quantity_change: number;
  occurred_at: Date;
  reference_id: string | null;
  notes: string | null;
}

/**
 * A warehouse going live: its opening stock counts written to the ledger and the levels at once,
 * as an import, before any event is streamed (so no detector judges a stocktake as trade).
 */
export async function loadOpeningStock(knex: Knex, rows: readonly OpeningRow[]): Promise<void> {
  if (rows.length === 0) return;
  const col = <K extends keyof OpeningRow>(k: K) => rows.map((r) => r[k]);
  await knex.raw(
    `WITH opening AS (
       SELECT * FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::int[], ?::timestamptz[], ?::text[], ?::text[])
         AS o(event_id, sku, warehouse_id, event_type, quantity_change, occurred_at, reference_id, notes)
     ), ledger AS (
       INSERT INTO inventory.inventory_transactions
         (event_id, sku, warehouse_id, event_type, quantity_change, occurred_at, reference_id, notes)
       SELECT * FROM opening
     )
     INSERT INTO inventory.inventory_levels (sku, warehouse_id, quantity_on_hand, last_event_at)
     SELECT sku, warehouse_id, sum(quantity_change), max(occurred_at) FROM opening GROUP BY sku, warehouse_id
     ON CONFLICT (sku, warehouse_id) DO UPDATE
       SET quantity_on_hand = inventory.inventory_levels.quantity_on_hand + EXCLUDED.quantity_on_hand,
           last_event_at = greatest(inventory.inventory_levels.last_event_at, EXCLUDED.last_event_at)`,
    bind(
      col('event_id'),
      col('sku'),
      col('warehouse_id'),
      col('event_type'),
      col('quantity_change'),
      col('occurred_at'),
      col('reference_id'),
      col('notes'),
    ),
  );
}

/**
 * The fault a DQ_ON_HAND_MISMATCH label describes: the stored level moves by `change` with no
 * ledger row behind it (LABELS.md).
 */
export async function shiftStoredLevel(
  knex: Knex,
  sku: string,
  warehouseId: string,
  change: number,
): Promise<void> {
  await knex.raw(
    `UPDATE inventory.inventory_levels SET quantity_on_hand = quantity_on_hand + ?
     WHERE sku = ? AND warehouse_id = ?`,
    [change, sku, warehouseId],
  );
}

/** Fresh planner statistics for the tables a replay filled, before they are scored. */
export async function analyzeWarehouse(knex: Knex): Promise<void> {
  await knex.raw(`ANALYZE inventory.inventory_transactions, inventory.inventory_levels, inventory.incident_labels,
    analytics.processed_metrics, analytics.anomalies, analytics.alerts, analytics.data_quality_results`);
}
