import type { Knex } from 'knex';

/**
 * Sets a task instance's state by hand (mark success/failed); a running try's result is then
 * discarded. The try's log gets a `marked` line (on try 0 when the task never ran). A mapped
 * task's instances are marked with it.
 */
export async function forceTaskState(
  trx: Knex.Transaction,
  runId: number,
  taskId: string,
  state: 'success' | 'failed',
): Promise<boolean> {
  const { rows } = await trx.raw(
    `WITH marked AS (
       UPDATE orchestrator.task_instances
          SET state = ?, worker_id = NULL, ended_at = clock_timestamp(), next_try_at = NULL,
              error = CASE WHEN ? = 'failed' THEN 'marked failed by an operator' END
        WHERE run_id = ? AND (task_id = ? OR map_parent = ?)
        RETURNING run_id, task_id, try_number, state),
     logged AS (
       INSERT INTO orchestrator.task_logs (run_id, task_id, try_number, level, message, fields, source)
       SELECT run_id, task_id, try_number, 'warn', 'marked ' || state || ' by hand',
              jsonb_build_object('event', 'marked', 'state', state), 'engine'
         FROM marked)
     SELECT count(*)::int AS n FROM marked`,
    [state, state, runId, taskId, taskId],
  );
  return rows[0].n > 0;
}
