import type { Knex } from 'knex';

export interface BackfillRow {
  id: number;
  dag_id: string;
  from_date: Date;
  to_date: Date;
  concurrency: number;
  reset: boolean;
  conf: Record<string, unknown>;
  state: 'running' | 'success' | 'failed' | 'cancelled';
  total: number;
  created_at: Date;
  ended_at: Date | null;
}

/** A running backfill of the same DAG and range, which a repeated command resumes. */
export async function findRunningBackfill(
  knex: Knex | Knex.Transaction,
  dagId: string,
  from: Date,
  to: Date,
): Promise<BackfillRow | undefined> {
  return knex<BackfillRow>('orchestrator.backfills')
    .where({ dag_id: dagId, from_date: from, to_date: to, state: 'running' })
    .orderBy('id')
    .first();
}

export async function insertBackfill(
  knex: Knex | Knex.Transaction,
  b: {
    dagId: string;
    from: Date;
    to: Date;
    concurrency: number;
    reset: boolean;
    conf: Record<string, unknown>;
    total: number;
  },
): Promise<BackfillRow> {
  const [row] = await knex<BackfillRow>('orchestrator.backfills')
    .insert({
      dag_id: b.dagId,
      from_date: b.from,
      to_date: b.to,
      concurrency: b.concurrency,
      reset: b.reset,
      conf: JSON.stringify(b.conf) as unknown as Record<string, unknown>,
      total: b.total,
    })
    .returning('*');
  return row!;
}

export async function updateBackfill(
  knex: Knex | Knex.Transaction,
  id: number,
  patch: Partial<Pick<BackfillRow, 'concurrency' | 'state'>> & { ended?: boolean },
): Promise<void> {
  const { ended, ...rest } = patch;
  await knex('orchestrator.backfills')
    .where('id', id)
    .update({ ...rest, ...(ended ? { ended_at: knex.fn.now() } : {}) });
}

export async function getBackfill(
  knex: Knex | Knex.Transaction,
  id: number,
): Promise<BackfillRow | undefined> {
  return knex<BackfillRow>('orchestrator.backfills').where('id', id).first();
}

export async function listBackfills(
  knex: Knex,
  filter: { dagId?: string; state?: string } = {},
): Promise<BackfillRow[]> {
  const q = knex<BackfillRow>('orchestrator.backfills').select('*').orderBy('id', 'desc').limit(100);
  if (filter.dagId) q.where('dag_id', filter.dagId);
  if (filter.state) q.where('state', filter.state);
  return q;
}

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

/** Makes an existing run part of a backfill (when the backfill reruns it). */
export async function adoptRun(trx: Knex.Transaction, runId: number, backfillId: number): Promise<void> {
  await trx.raw('UPDATE orchestrator.dag_runs SET backfill_id = ? WHERE id = ?', [backfillId, runId]);
}
