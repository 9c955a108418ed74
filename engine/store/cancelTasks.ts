import type { Knex } from 'knex';
import type { TaskState } from './types.js';

/** A task instance `cancelTasks` stopped, with the state it was in. */
export interface CancelledTask {
  task_id: string;
  previous_state: TaskState;
  try_number: number;
}

/**
 * Cancels the task instances of a run that have not ended (waiting, scheduled, queued, running, up
 * for retry or reschedule): all of them, or those listed (a mapped task with its instances). They become `cancelled` with `reason` as their error; a
 * running try is no longer held by its worker, so its late result is discarded (`recordTries`)
 * and the worker's heartbeat learns it must abort it. The run's version moves on, so decisions of
 * finishing tries made before the cancel are not applied (see `applyTransitions`). Each cancelled
 * instance gets a `cancelled` line on its current try. The caller holds the run (`lockRun`).
 */
export async function cancelTasks(
  trx: Knex.Transaction,
  runId: number,
  taskIds: string[] | undefined,
  cancel: { by: string; reason: string },
): Promise<CancelledTask[]> {
  // `old` locks the rows first, so the states it reports are those the update replaces (a claim
  // committing meanwhile is seen as `running`).
  const { rows } = await trx.raw(
    `WITH old AS (
       SELECT task_id, state FROM orchestrator.task_instances
        WHERE run_id = ? AND (?::text[] IS NULL OR task_id = ANY(?::text[]) OR map_parent = ANY(?::text[]))
          AND state IN ('none', 'scheduled', 'queued', 'running', 'up_for_retry', 'up_for_reschedule')
          FOR UPDATE),
     cancelled AS (
       UPDATE orchestrator.task_instances ti
          SET state = 'cancelled', error = ?, worker_id = NULL, next_try_at = NULL,
              ended_at = clock_timestamp()
         FROM old
        WHERE ti.run_id = ? AND ti.task_id = old.task_id
       RETURNING ti.task_id, old.state AS previous_state, ti.try_number),
     logged AS (
       INSERT INTO orchestrator.task_logs (run_id, task_id, try_number, level, message, fields, source)
       SELECT ?, task_id, try_number, 'warn', 'cancelled by ' || ? || ': ' || ? || ' (was ' || previous_state || ')',
              jsonb_build_object('event', 'cancelled', 'by', ?::text, 'reason', ?::text,
                                 'previous_state', previous_state), 'engine'
         FROM cancelled),
     bumped AS (
       UPDATE orchestrator.dag_runs SET version = version + 1
        WHERE id = ? AND EXISTS (SELECT 1 FROM cancelled))
     SELECT task_id, previous_state, try_number FROM cancelled`,
    [
      runId,
      taskIds ?? null,
      taskIds ?? null,
      taskIds ?? null,
      cancel.reason,
      runId,
      runId,
      cancel.by,
      cancel.reason,
      cancel.by,
      cancel.reason,
      runId,
    ],
  );
  return rows;
}
