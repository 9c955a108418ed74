import type { Knex } from 'knex';
import { PREPARED, preparedStatement, runPrepared } from './prepared.js';
import { downstreamOutputSql } from './mappedOutputs.js';
import type { RunTypeName } from './types.js';

export interface ClaimedTry {
  run_id: number;
  task_id: string;
  try_number: number;
  max_tries: number;
  logical_date: Date;
  data_interval_start: Date;
  data_interval_end: Date;
  run_type: RunTypeName;
  conf: Record<string, unknown>;
  /**
   * Outputs of the listed upstream tasks (null where one did not succeed); a mapped upstream's is
   * the list of its instances' outputs.
   */
  upstream: Record<string, unknown>;
  /** When the last upstream task ended: handoff latency is measured from it. */
  upstream_ended_at: Date | null;
  started_at: Date;
}

export interface TryToClaim {
  runId: number;
  taskId: string;
  tryNumber: number;
  /**
   * The try's key, from its job: a job left in Redis by another database (reset, restore) that
   * happens to name the same run, task and try number then finds nothing. Jobs enqueued before
   * keys existed carry none and claim by try number alone.
   */
  tryKey?: string;
  /** The task's upstream task ids, whose outputs come back with the claim. */
  upstream: string[];
}

const CLAIM_TRIES = preparedStatement(
  PREPARED.claim_tries,
  `WITH wanted AS (
       SELECT * FROM jsonb_to_recordset(?::jsonb)
         AS w(i int, run_id bigint, task_id text, try_number int, try_key uuid, upstream text[])),
     claimed AS (
       UPDATE orchestrator.task_instances ti
          SET state = 'running', worker_id = ?, started_at = clock_timestamp(),
              heartbeat_at = clock_timestamp(), ended_at = NULL, next_try_at = NULL
         FROM wanted w
        WHERE ti.run_id = w.run_id AND ti.task_id = w.task_id AND ti.try_number = w.try_number
          AND (w.try_key IS NULL OR ti.try_key = w.try_key)
          AND (ti.state IN ('queued', 'up_for_retry', 'up_for_reschedule')
               OR (ti.state = 'running'
                   AND ti.heartbeat_at < clock_timestamp() - make_interval(secs => ?)))
       RETURNING w.i, w.upstream, ti.run_id, ti.task_id, ti.try_number, ti.max_tries, ti.started_at,
                 ti.worker_id),
     logged AS (
       INSERT INTO orchestrator.task_logs (run_id, task_id, try_number, level, message, fields, source)
       SELECT run_id, task_id, try_number, 'info', 'started on worker ' || worker_id,
              jsonb_build_object('event', 'started', 'worker_id', worker_id), 'engine'
         FROM claimed)
     SELECT c.i, c.run_id, c.task_id, c.try_number, c.max_tries, c.started_at,
            r.logical_date, r.data_interval_start, r.data_interval_end, r.run_type, r.conf,
            coalesce(u.outputs, '{}'::jsonb) AS upstream, u.ended_at AS upstream_ended_at
       FROM claimed c
       JOIN orchestrator.dag_runs r ON r.id = c.run_id
       LEFT JOIN LATERAL (
         SELECT jsonb_object_agg(ti.task_id, ${downstreamOutputSql('ti')}) AS outputs,
                max(ti.ended_at) AS ended_at
           FROM orchestrator.task_instances ti
          WHERE ti.run_id = c.run_id AND ti.task_id = ANY(c.upstream)) u ON true`,
);

/**
 * Takes tries of task instances for a worker, in one statement: only a try that is queued (up for
 * retry, or a sensor up for reschedule, whose job names its current key), or running with a heartbeat older than `staleMs` (its worker died), can be taken, so
 * a duplicate or outdated BullMQ job finds nothing and two workers never run the same try.
 * Each try taken gets its `started` line in the try's log, naming the worker.
 * Returns one entry per requested try, in order: undefined where the try was not taken.
 */
export async function claimTries(
  knex: Knex,
  workerId: string,
  staleMs: number,
  tries: TryToClaim[],
): Promise<Array<ClaimedTry | undefined>> {
  if (tries.length === 0) return [];
  const wanted = tries.map((t, i) => ({
    i,
    run_id: t.runId,
    task_id: t.taskId,
    try_number: t.tryNumber,
    try_key: t.tryKey ?? null,
    upstream: t.upstream,
  }));
  const { rows } = await runPrepared(knex, CLAIM_TRIES, [JSON.stringify(wanted), workerId, staleMs / 1000]);
  const out: Array<ClaimedTry | undefined> = tries.map(() => undefined);
  for (const { i, ...row } of rows as Array<ClaimedTry & { i: number }>) out[i] = row;
  return out;
}
