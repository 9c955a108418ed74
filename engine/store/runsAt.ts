import type { Knex } from 'knex';

/** The runs of a DAG at these logical dates, with the backfill each belongs to. */
export async function runsAt(
  trx: Knex | Knex.Transaction,
  dagId: string,
  dates: readonly Date[],
): Promise<Array<{ id: number; logical_date: Date; state: string; backfill_id: number | null }>> {
  if (dates.length === 0) return [];
  const { rows } = await trx.raw(
    `SELECT id, logical_date, state, backfill_id FROM orchestrator.dag_runs
      WHERE dag_id = ? AND logical_date = ANY(?::timestamptz[])`,
    [dagId, dates.map((d) => d.toISOString())],
  );
  return rows;
}
