import type { Knex } from 'knex';

/**
 * Serialises slot grants across every process until the transaction ends: a grant reads the
 * slots held and then takes some, so two at once could both take the last one. A
 * transaction-level advisory lock is released by COMMIT, ROLLBACK or a lost connection.
 */
export async function lockSlotGrants(trx: Knex.Transaction): Promise<void> {
  await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('wareflow.slot_grants'))`);
}

/** A try created by a slot grant, to enqueue once the grant has committed. */
export interface GrantedRow {
  run_id: number;
  dag_id: string;
  task_id: string;
  try_number: number;
  try_key: string;
  pool: string;
  priority: number;
}

/**
 * Moves the picked task instances from `scheduled` to `queued`, creating their next try (a new
 * try key, see the try_number trigger) with its `queued` line; one still scheduled is the only
 * kind that moves (a cancel or clear that came first wins).
 */
export async function grantSlots(
  trx: Knex.Transaction,
  picks: Array<{ run_id: number; task_id: string }>,
): Promise<GrantedRow[]> {
  if (picks.length === 0) return [];
  const { rows } = await trx.raw(
    `WITH g AS (SELECT * FROM jsonb_to_recordset(?::jsonb) AS g(run_id bigint, task_id text)),
     granted AS (
       UPDATE orchestrator.task_instances ti
          SET state = 'queued', try_number = ti.try_number + 1, queued_at = clock_timestamp(),
              worker_id = NULL, error = NULL
         FROM g
        WHERE ti.run_id = g.run_id AND ti.task_id = g.task_id AND ti.state = 'scheduled'
        RETURNING ti.run_id, ti.dag_id, ti.task_id, ti.try_number, ti.try_key, ti.pool, ti.pool_slots),
     logged AS (
       INSERT INTO orchestrator.task_logs (run_id, task_id, try_number, level, message, fields, source)
       SELECT run_id, task_id, try_number, 'info',
              format('queued in pool %s (%s slot%s granted)', pool, pool_slots,
                     CASE WHEN pool_slots = 1 THEN '' ELSE 's' END),
              jsonb_build_object('event', 'queued', 'pool', pool, 'slots', pool_slots), 'engine'
         FROM granted)
     SELECT g.run_id, g.dag_id, g.task_id, g.try_number, g.try_key, g.pool, r.priority
       FROM granted g JOIN orchestrator.dag_runs r ON r.id = g.run_id`,
    [JSON.stringify(picks)],
  );
  return rows;
}
