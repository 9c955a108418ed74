import type { Knex } from 'knex';
import type { TaskState } from './types.js';

export type TryOutcome =
  | { kind: 'success'; output: unknown }
  | { kind: 'retry'; error: string; notBefore: Date }
  | { kind: 'failed'; error: string }
  /** The worker stops: the try is given back without counting against the retries. */
  | { kind: 'handed_back'; reason: string };

/**
 * Records how a try ended, only if that try is still the one this worker holds (a try taken over
 * after a lost heartbeat, cleared or marked meanwhile is left alone — so a task instance never
 * succeeds twice). Returns false when the result was discarded.
 */
export async function recordTry(
  trx: Knex.Transaction,
  args: { runId: number; taskId: string; tryNumber: number; workerId: string | null; outcome: TryOutcome },
): Promise<{ recorded: boolean; states: Map<string, { state: TaskState }> }> {
  const { outcome } = args;
  const set =
    outcome.kind === 'success'
      ? `state = 'success', output = ?::jsonb, error = NULL, ended_at = clock_timestamp()`
      : outcome.kind === 'failed'
        ? `state = 'failed', error = ?, ended_at = clock_timestamp()`
        : outcome.kind === 'retry'
          ? `state = 'up_for_retry', error = ?, ended_at = clock_timestamp(), next_try_at = ?,
             try_number = try_number + 1, queued_at = clock_timestamp(), worker_id = NULL`
          : `state = 'queued', error = ?, try_number = try_number + 1, max_tries = max_tries + 1,
             queued_at = clock_timestamp(), worker_id = NULL, started_at = NULL`;
  const values =
    outcome.kind === 'success'
      ? [JSON.stringify(outcome.output ?? null)]
      : outcome.kind === 'retry'
        ? [outcome.error, outcome.notBefore]
        : outcome.kind === 'failed'
          ? [outcome.error]
          : [outcome.reason];
  // One round trip: the guarded update, and every task state of the run as it now stands (the
  // statement's snapshot predates the update, so the updated row's new state comes from RETURNING).
  const { rows } = await trx.raw(
    `WITH rec AS (
       UPDATE orchestrator.task_instances SET ${set}
        WHERE run_id = ? AND task_id = ? AND try_number = ? AND state = 'running'
          AND worker_id IS NOT DISTINCT FROM ?
       RETURNING task_id, state)
     SELECT ti.task_id, coalesce(rec.state, ti.state) AS state, rec.task_id IS NOT NULL AS recorded
       FROM orchestrator.task_instances ti LEFT JOIN rec ON rec.task_id = ti.task_id
      WHERE ti.run_id = ?`,
    [...values, args.runId, args.taskId, args.tryNumber, args.workerId, args.runId],
  );
  const typed = rows as Array<{ task_id: string; state: TaskState; recorded: boolean }>;
  return {
    recorded: typed.some((r) => r.recorded),
    states: new Map(typed.map((r) => [r.task_id, { state: r.state }])),
  };
}
