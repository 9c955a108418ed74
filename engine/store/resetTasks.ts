import type { Knex } from 'knex';
import { reopenRun } from './reopenRun.js';

/**
 * Clears task instances so they run again: back to `none`, with a fresh allowance of retries
 * after the tries already made (try numbers keep counting). Reopens the run. A task that had
 * started or settled gets a `cleared` line on its last try (try 0 when it never ran). A mapped
 * task is cleared with its instances, and is expanded again when it next runs.
 */
export async function resetTasks(
  trx: Knex.Transaction,
  runId: number,
  tasks: Array<{ taskId: string; retries: number }>,
): Promise<number> {
  if (tasks.length === 0) return 0;
  // The caller holds the run (lockRun), so the states read in `before` are the ones reset.
  const { rows } = await trx.raw(
    `WITH t AS (
       SELECT * FROM jsonb_to_recordset(?::jsonb) AS t(task_id text, retries int)),
     before AS (
       SELECT DISTINCT ON (ti.task_id) ti.task_id, ti.try_number, ti.state FROM orchestrator.task_instances ti
         JOIN t ON t.task_id = ti.task_id OR t.task_id = ti.map_parent
        WHERE ti.run_id = ?),
     reset AS (
       UPDATE orchestrator.task_instances ti
          SET state = 'none', max_tries = ti.try_number + 1 + t.retries, output = NULL, error = NULL,
              worker_id = NULL, queued_at = NULL, started_at = NULL, heartbeat_at = NULL,
              ended_at = NULL, next_try_at = NULL, first_poke_at = NULL, pokes = 0, followed = NULL,
              map_count = NULL
         FROM t
        WHERE ti.run_id = ? AND (ti.task_id = t.task_id OR ti.map_parent = t.task_id)
        RETURNING ti.task_id),
     logged AS (
       INSERT INTO orchestrator.task_logs (run_id, task_id, try_number, level, message, fields, source)
       SELECT ?, task_id, try_number, 'warn', 'cleared (was ' || state || ')',
              jsonb_build_object('event', 'cleared', 'previous_state', state), 'engine'
         FROM before WHERE state <> 'none')
     SELECT count(*)::int AS n FROM reset`,
    [JSON.stringify(tasks.map((t) => ({ task_id: t.taskId, retries: t.retries }))), runId, runId, runId],
  );
  await reopenRun(trx, runId);
  return rows[0].n;
}
