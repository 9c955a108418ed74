import type { Knex } from 'knex';

/** How many runs of a backfill are in each state (an index-only count, however long its range). */
export async function backfillRunCounts(
  knex: Knex | Knex.Transaction,
  backfillId: number,
): Promise<{ running: number; success: number; failed: number; cancelled: number }> {
  const { rows } = await knex.raw(
    `SELECT state, count(*)::int AS n FROM orchestrator.dag_runs WHERE backfill_id = ? GROUP BY state`,
    [backfillId],
  );
  const counts = { running: 0, success: 0, failed: 0, cancelled: 0 };
  for (const r of rows as Array<{ state: keyof typeof counts; n: number }>) counts[r.state] = r.n;
  return counts;
}
