import type { Knex } from 'knex';

/** Runs of a DAG whose logical date lies in [from, to], with the backfill each belongs to. */
export async function runsInRange(
  trx: Knex | Knex.Transaction,
  dagId: string,
  from: Date,
  to: Date,
): Promise<Array<{ id: number; logical_date: Date; state: string; backfill_id: number | null }>> {
  const { rows } = await trx.raw(
    `SELECT id, logical_date, state, backfill_id FROM orchestrator.dag_runs
      WHERE dag_id = ? AND logical_date BETWEEN ? AND ?`,
    [dagId, from, to],
  );
  return rows;
}
