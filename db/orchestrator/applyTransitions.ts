import type { Knex } from 'knex';
import type { RunState, TaskState } from './types.js';

/**
 * Applies the decisions of one evaluation of a run in two statements: tasks whose trigger rule
 * is met become `queued` with their next try number; others get a final state without running
 * (`upstream_failed`, `skipped`). The run ends when `runState` is final.
 */
export async function applyTransitions(
  trx: Knex.Transaction,
  runId: number,
  changes: { queue: string[]; settle: Array<{ taskId: string; state: TaskState }>; runState: RunState },
  /** The run's state before, when the caller knows it: an unchanged running run is not written. */
  previousRunState?: string,
): Promise<Array<{ task_id: string; try_number: number; pool: string }>> {
  let queued: Array<{ task_id: string; try_number: number; pool: string }> = [];
  if (changes.queue.length > 0) {
    const { rows } = await trx.raw(
      `UPDATE orchestrator.task_instances
          SET state = 'queued', try_number = try_number + 1, queued_at = clock_timestamp(),
              worker_id = NULL, error = NULL
        WHERE run_id = ? AND task_id = ANY(?::text[]) AND state = 'none'
        RETURNING task_id, try_number, pool`,
      [runId, changes.queue],
    );
    queued = rows;
  }
  if (changes.settle.length > 0) {
    await trx.raw(
      `UPDATE orchestrator.task_instances ti
          SET state = s.state, ended_at = clock_timestamp()
         FROM jsonb_to_recordset(?::jsonb) AS s(task_id text, state text)
        WHERE ti.run_id = ? AND ti.task_id = s.task_id AND ti.state = 'none'`,
      [JSON.stringify(changes.settle.map((s) => ({ task_id: s.taskId, state: s.state }))), runId],
    );
  }
  if (previousRunState === 'running' && changes.runState === 'running') return queued;
  await trx.raw(
    `UPDATE orchestrator.dag_runs
        SET state = ?, ended_at = CASE WHEN ? = 'running' THEN NULL ELSE coalesce(ended_at, clock_timestamp()) END
      WHERE id = ? AND (state <> ? OR (? <> 'running' AND ended_at IS NULL))`,
    [changes.runState, changes.runState, runId, changes.runState, changes.runState],
  );
  return queued;
}
