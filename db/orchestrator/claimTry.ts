import type { Knex } from 'knex';

export interface ClaimedTry {
  run_id: number;
  task_id: string;
  try_number: number;
  max_tries: number;
  logical_date: Date;
  data_interval_start: Date;
  data_interval_end: Date;
  run_type: 'scheduled' | 'manual' | 'backfill';
  conf: Record<string, unknown>;
  /** Outputs of the listed upstream tasks (null where one did not succeed). */
  upstream: Record<string, unknown>;
  /** When the last upstream task ended: handoff latency is measured from it. */
  upstream_ended_at: Date | null;
  started_at: Date;
}

/**
 * Takes one try of a task instance for a worker: only a try that is queued (or up for retry), or
 * running with a heartbeat older than `staleMs` (its worker died), can be taken, so a duplicate
 * or outdated BullMQ job finds nothing and two workers never run the same try.
 */
export async function claimTry(
  knex: Knex,
  args: {
    runId: number;
    taskId: string;
    tryNumber: number;
    workerId: string;
    upstream: string[];
    staleMs: number;
  },
): Promise<ClaimedTry | undefined> {
  const { rows } = await knex.raw(
    `WITH claimed AS (
       UPDATE orchestrator.task_instances
          SET state = 'running', worker_id = ?, started_at = clock_timestamp(),
              heartbeat_at = clock_timestamp(), ended_at = NULL, next_try_at = NULL
        WHERE run_id = ? AND task_id = ? AND try_number = ?
          AND (state IN ('queued', 'up_for_retry')
               OR (state = 'running' AND heartbeat_at < clock_timestamp() - make_interval(secs => ?)))
       RETURNING run_id, task_id, try_number, max_tries, started_at)
     SELECT c.*, r.logical_date, r.data_interval_start, r.data_interval_end, r.run_type, r.conf,
            coalesce(u.outputs, '{}'::jsonb) AS upstream, u.ended_at AS upstream_ended_at
       FROM claimed c
       JOIN orchestrator.dag_runs r ON r.id = c.run_id
       LEFT JOIN LATERAL (
         SELECT jsonb_object_agg(ti.task_id, CASE WHEN ti.state = 'success' THEN ti.output END) AS outputs,
                max(ti.ended_at) AS ended_at
           FROM orchestrator.task_instances ti
          WHERE ti.run_id = c.run_id AND ti.task_id = ANY(?::text[])) u ON true`,
    [args.workerId, args.runId, args.taskId, args.tryNumber, args.staleMs / 1000, args.upstream],
  );
  return rows[0];
}
