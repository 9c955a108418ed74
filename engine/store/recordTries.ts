import type { Knex } from 'knex';
import { PREPARED, preparedStatement, runPrepared } from './prepared.js';
import { taskLogRecords, type TaskLogLine } from './taskLogLines.js';
import { runViews, type RunRow, type RunView } from './readRuns.js';

export type TryOutcome =
  | { kind: 'success'; output: unknown }
  | { kind: 'retry'; error: string; notBefore: Date }
  | { kind: 'failed'; error: string }
  /** The worker stops: the try is given back without counting against the retries. */
  | { kind: 'handed_back'; reason: string }
  /** A sensor's condition does not hold yet: the same try pokes again at `notBefore`. */
  | { kind: 'reschedule'; reason: string; notBefore: Date }
  /** The task skipped itself (`SkipTaskError`): final, like a skip by trigger rule. */
  | { kind: 'skipped'; reason: string };

export interface TryEnd {
  runId: number;
  taskId: string;
  tryNumber: number;
  workerId: string | null;
  outcome: TryOutcome;
  /** The try's captured log lines, stored whether or not its result is recorded. */
  logs?: TaskLogLine[];
  /**
   * A success's asset events (the task's outlets): stored only if the success is, in the same
   * statement, each with the partition its run's data interval start falls in (`partition`).
   */
  assets?: Array<{ assetKey: string; partition: 'daily' | 'weekly' | null; rows: number | null }>;
  /** A branch task's success: the direct downstream tasks it chose (`task_instances.followed`). */
  followed?: string[];
}

const RECORD_TRIES = preparedStatement(
  PREPARED.record_tries,
  `WITH e AS (
       SELECT * FROM jsonb_to_recordset(?::jsonb)
         AS e(i int, run_id bigint, task_id text, try_number int, worker_id text, kind text,
              output text, error text, not_before timestamptz, followed text[])),
     rec AS (
       UPDATE orchestrator.task_instances ti SET
              state = CASE e.kind WHEN 'success' THEN 'success' WHEN 'failed' THEN 'failed'
                                  WHEN 'retry' THEN 'up_for_retry' WHEN 'reschedule' THEN 'up_for_reschedule'
                                  WHEN 'skipped' THEN 'skipped' ELSE 'queued' END,
              output = CASE WHEN e.kind = 'success' THEN e.output::jsonb ELSE ti.output END,
              error = CASE WHEN e.kind = 'reschedule' THEN NULL ELSE e.error END,
              followed = CASE WHEN e.kind = 'success' THEN e.followed ELSE ti.followed END,
              try_key = CASE WHEN e.kind = 'reschedule' THEN gen_random_uuid() ELSE ti.try_key END,
              ended_at = CASE WHEN e.kind = 'handed_back' THEN ti.ended_at ELSE clock_timestamp() END,
              next_try_at = CASE WHEN e.kind IN ('retry', 'reschedule') THEN e.not_before ELSE ti.next_try_at END,
              try_number = ti.try_number + CASE WHEN e.kind IN ('retry', 'handed_back') THEN 1 ELSE 0 END,
              max_tries = ti.max_tries + CASE WHEN e.kind = 'handed_back' THEN 1 ELSE 0 END,
              queued_at = CASE WHEN e.kind IN ('retry', 'handed_back') THEN clock_timestamp() ELSE ti.queued_at END,
              worker_id = CASE WHEN e.kind IN ('retry', 'handed_back', 'reschedule') THEN NULL ELSE ti.worker_id END,
              started_at = CASE WHEN e.kind = 'handed_back' THEN NULL ELSE ti.started_at END
         FROM e
        WHERE ti.run_id = e.run_id AND ti.task_id = e.task_id AND ti.try_number = e.try_number
          AND ti.state = 'running' AND ti.worker_id IS NOT DISTINCT FROM e.worker_id
       RETURNING e.i, e.kind, e.error, e.not_before, e.try_number AS ended_try, ti.run_id, ti.task_id,
                 ti.state, ti.try_number, ti.try_key, ti.pool, ti.followed,
                 round(extract(epoch FROM ti.ended_at - ti.started_at) * 1000)::bigint AS duration_ms),
     logged AS (
       INSERT INTO orchestrator.task_logs
         (run_id, task_id, try_number, logged_at, level, message, fields, source)
       SELECT run_id, task_id, try_number, logged_at, level, message, fields, source
         FROM (
           SELECT 0 AS part, l.n AS ord, l.run_id, l.task_id, l.try_number, l.logged_at, l.level, l.message,
                  coalesce(l.fields, '{}') AS fields, coalesce(l.source, 'task') AS source
             FROM jsonb_to_recordset(?::jsonb)
               AS l(n int, run_id bigint, task_id text, try_number int, logged_at timestamptz,
                    level text, message text, fields jsonb, source text)
           UNION ALL
           SELECT 1, rec.i * 2 + v.n, rec.run_id, rec.task_id, v.try_number, clock_timestamp(), v.level, v.message,
                  v.fields, 'engine'
             FROM rec CROSS JOIN LATERAL (VALUES
               (1, rec.ended_try,
                CASE rec.kind WHEN 'success' THEN 'info' WHEN 'failed' THEN 'error'
                              WHEN 'reschedule' THEN 'info' WHEN 'skipped' THEN 'info' ELSE 'warn' END,
                CASE rec.kind
                  WHEN 'success' THEN format('succeeded in %s ms', rec.duration_ms)
                  WHEN 'retry' THEN format('retried: %s (next try in %s ms)', rec.error,
                    greatest(0, round(extract(epoch FROM rec.not_before - clock_timestamp()) * 1000)))
                  WHEN 'reschedule' THEN format('rescheduled: %s (next poke in %s ms)', rec.error,
                    greatest(0, round(extract(epoch FROM rec.not_before - clock_timestamp()) * 1000)))
                  WHEN 'failed' THEN format('failed: %s', rec.error)
                  WHEN 'skipped' THEN format('skipped: %s', rec.error)
                  ELSE format('handed back: %s', rec.error) END,
                CASE rec.kind
                  WHEN 'success' THEN jsonb_build_object('event', 'succeeded', 'duration_ms', rec.duration_ms)
                  WHEN 'retry' THEN jsonb_build_object('event', 'retried', 'reason', rec.error,
                    'next_try_at', rec.not_before, 'delay_ms',
                    greatest(0, round(extract(epoch FROM rec.not_before - clock_timestamp()) * 1000)))
                  WHEN 'reschedule' THEN jsonb_build_object('event', 'rescheduled', 'reason', rec.error,
                    'next_try_at', rec.not_before, 'delay_ms',
                    greatest(0, round(extract(epoch FROM rec.not_before - clock_timestamp()) * 1000)))
                  WHEN 'failed' THEN jsonb_build_object('event', 'failed', 'reason', rec.error)
                  WHEN 'skipped' THEN jsonb_build_object('event', 'skipped', 'reason', rec.error)
                  ELSE jsonb_build_object('event', 'handed_back', 'reason', rec.error) END),
               (2, CASE WHEN rec.kind IN ('retry', 'handed_back') THEN rec.try_number END, 'info',
                'queued in pool ' || rec.pool, jsonb_build_object('event', 'queued', 'pool', rec.pool))
             ) AS v(n, try_number, level, message, fields)
            WHERE v.try_number IS NOT NULL) AS lines
        ORDER BY part, ord),
     assets AS (
       INSERT INTO orchestrator.asset_events
         (asset_key, partition_key, run_id, dag_id, task_id, try_number, rows)
       SELECT a.asset_key,
              CASE a.partitioning
                WHEN 'daily' THEN to_char(r.data_interval_start AT TIME ZONE 'UTC', 'YYYY-MM-DD')
                WHEN 'weekly' THEN to_char(r.data_interval_start AT TIME ZONE 'UTC', 'IYYY-"W"IW')
                ELSE '' END,
              rec.run_id, r.dag_id, rec.task_id, rec.ended_try, a.rows
         FROM jsonb_to_recordset(?::jsonb) AS a(i int, asset_key text, partitioning text, rows bigint)
         JOIN rec ON rec.i = a.i AND rec.kind = 'success'
         JOIN orchestrator.dag_runs r ON r.id = rec.run_id)
     SELECT ti.run_id, ti.task_id, coalesce(rec.state, ti.state) AS state, rec.i,
            CASE WHEN rec.i IS NULL THEN ti.followed ELSE rec.followed END AS followed,
            CASE WHEN rec.kind IN ('retry', 'handed_back', 'reschedule') THEN rec.try_key END AS next_try_key,
            r.state AS run_state, r.version, r.priority AS run_priority,
            CASE WHEN rec.kind IN ('success', 'failed', 'retry', 'reschedule', 'skipped')
                 THEN r.max_active_tasks IS NOT NULL
                      OR EXISTS (SELECT 1 FROM orchestrator.pools p WHERE p.name = ti.pool AND p.slots IS NOT NULL)
                 ELSE false END AS freed_slot
       FROM orchestrator.dag_runs r
       JOIN orchestrator.task_instances ti ON ti.run_id = r.id
       LEFT JOIN rec ON rec.run_id = ti.run_id AND rec.task_id = ti.task_id
      WHERE r.id IN (SELECT run_id FROM e)`,
);

/**
 * Records how tries ended, with their last log lines, in one statement: each only if that try is
 * still the one its worker holds (a try taken over after a lost heartbeat, cleared or marked
 * meanwhile is left alone — so a task instance never succeeds twice). A recorded end adds the
 * engine's line for it to the try's log (succeeded with its duration, retried with the reason and
 * the delay, rescheduled with the next poke, failed, skipped, handed back), and a retry or
 * hand-back the `queued` line of the next try. A branch task's success stores what it followed.
 * A recorded success writes one asset event per outlet, with the run, task and try that wrote it.
 * Returns, per try, whether it was recorded (with the key of the next try when one was queued),
 * its run's priority, whether its end freed a slot that a scheduled task may be waiting for (its
 * pool has a limit or its run a DAG cap), and each run involved as it now stands.
 */
export async function recordTries(
  knex: Knex | Knex.Transaction,
  ends: TryEnd[],
): Promise<{
  recorded: boolean[];
  nextTryKeys: Array<string | undefined>;
  runPriorities: number[];
  freedSlots: boolean[];
  runs: Map<number, RunView>;
}> {
  const rows = ends.map((e, i) => ({
    i,
    run_id: e.runId,
    task_id: e.taskId,
    try_number: e.tryNumber,
    worker_id: e.workerId,
    kind: e.outcome.kind,
    output: e.outcome.kind === 'success' ? JSON.stringify(e.outcome.output ?? null) : null,
    error: outcomeText(e.outcome),
    not_before:
      e.outcome.kind === 'retry' || e.outcome.kind === 'reschedule'
        ? e.outcome.notBefore.toISOString()
        : null,
    followed: e.outcome.kind === 'success' ? (e.followed ?? null) : null,
  }));
  // The statement's snapshot predates the update, so an updated row's new state comes from
  // RETURNING. A retry or a hand-back queues the next try at once (its BullMQ job carries the
  // delay). A reschedule keeps the try and draws it a new key: each poke is a job of its own, and
  // a job of an earlier poke finds nothing to claim. The task's lines and the engine's go in one
  // INSERT, in that order, so ids follow it.
  const { rows: result } = await runPrepared(knex, RECORD_TRIES, [
    JSON.stringify(rows),
    taskLogRecords(ends.flatMap((e) => e.logs ?? [])),
    JSON.stringify(
      ends.flatMap((e, i) =>
        e.outcome.kind === 'success'
          ? (e.assets ?? []).map((a) => ({
              i,
              asset_key: a.assetKey,
              partitioning: a.partition,
              rows: a.rows,
            }))
          : [],
      ),
    ),
  ]);
  const recorded = ends.map(() => false);
  const nextTryKeys: Array<string | undefined> = ends.map(() => undefined);
  const runPriorities = ends.map(() => 0);
  const freedSlots = ends.map(() => false);
  type Row = RunRow & {
    i: number | null;
    next_try_key: string | null;
    run_priority: number;
    freed_slot: boolean;
  };
  for (const r of result as Row[]) {
    if (r.i === null) continue;
    recorded[r.i] = true;
    runPriorities[r.i] = r.run_priority;
    freedSlots[r.i] = r.freed_slot === true;
    if (r.next_try_key) nextTryKeys[r.i] = r.next_try_key;
  }
  return { recorded, nextTryKeys, runPriorities, freedSlots, runs: runViews(result as Row[]) };
}

/** The reason a try's end records (`task_instances.error` and its log line); none for a success. */
function outcomeText(outcome: TryOutcome): string | null {
  switch (outcome.kind) {
    case 'success':
      return null;
    case 'retry':
    case 'failed':
      return outcome.error;
    default:
      return outcome.reason;
  }
}
