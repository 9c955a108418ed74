import type { Knex } from 'knex';
import { PREPARED, preparedStatement, runPrepared } from './prepared.js';
import type { RunState, TaskState } from './types.js';

/** What one evaluation decided for one run. */
export interface RunTransitions {
  runId: number;
  /** Tasks whose trigger rule is met: they become `queued` with their next try number. */
  queue: string[];
  /** Tasks that get a final state without running (`upstream_failed`, `skipped`). */
  settle: Array<{ taskId: string; state: TaskState }>;
  runState: RunState;
  /** The run's state before, when the caller knows it: an unchanged running run is not written. */
  previousRunState?: string;
  /**
   * The run's version read with the states the decision was made from. The decision is applied
   * only if the run still has it; leave it out when the caller holds the run FOR UPDATE.
   */
  version?: number;
}

export interface QueuedRow {
  run_id: number;
  task_id: string;
  try_number: number;
  try_key: string;
  pool: string;
  /** The run's priority (`dag_runs.priority`). */
  priority: number;
}

const APPLY_TRANSITIONS = preparedStatement(
  PREPARED.apply_transitions,
  `WITH n AS (
       SELECT * FROM jsonb_to_recordset(?::jsonb) AS n(run_id bigint, version int, state text, write_state boolean)),
     current AS (
       SELECT r.id, n.state, n.write_state
         FROM orchestrator.dag_runs r JOIN n ON n.run_id = r.id
        WHERE n.version IS NULL OR r.version = n.version
          FOR KEY SHARE OF r),
     settled AS (
       UPDATE orchestrator.task_instances ti
          SET state = s.state, ended_at = clock_timestamp()
         FROM jsonb_to_recordset(?::jsonb) AS s(run_id bigint, task_id text, state text)
        WHERE ti.run_id = s.run_id AND ti.task_id = s.task_id AND ti.state = 'none'
          AND s.run_id IN (SELECT id FROM current)),
     ended AS (
       UPDATE orchestrator.dag_runs r
          SET state = c.state,
              ended_at = CASE WHEN c.state = 'running' THEN NULL ELSE coalesce(r.ended_at, clock_timestamp()) END
         FROM current c
        WHERE r.id = c.id AND c.write_state AND r.state <> 'cancelled'
          AND (r.state <> c.state OR (c.state <> 'running' AND r.ended_at IS NULL))),
     due AS (
       SELECT q.run_id, q.task_id, r.priority,
              (r.max_active_tasks IS NOT NULL OR p.slots IS NOT NULL) AS waits
         FROM jsonb_to_recordset(?::jsonb) AS q(run_id bigint, task_id text)
         JOIN orchestrator.dag_runs r ON r.id = q.run_id
         JOIN orchestrator.task_instances t ON t.run_id = q.run_id AND t.task_id = q.task_id
         LEFT JOIN orchestrator.pools p ON p.name = t.pool
        WHERE q.run_id IN (SELECT id FROM current)),
     queued AS (
       UPDATE orchestrator.task_instances ti
          SET state = CASE WHEN d.waits THEN 'scheduled' ELSE 'queued' END,
              try_number = ti.try_number + CASE WHEN d.waits THEN 0 ELSE 1 END,
              queued_at = CASE WHEN d.waits THEN ti.queued_at ELSE clock_timestamp() END,
              scheduled_at = clock_timestamp(), worker_id = NULL, error = NULL
         FROM due d
        WHERE ti.run_id = d.run_id AND ti.task_id = d.task_id AND ti.state = 'none'
        RETURNING ti.run_id, ti.task_id, ti.try_number, ti.try_key, ti.pool, ti.state, d.priority),
     logged AS (
       INSERT INTO orchestrator.task_logs (run_id, task_id, try_number, level, message, fields, source)
       SELECT run_id, task_id, try_number + CASE state WHEN 'queued' THEN 0 ELSE 1 END, 'info',
              CASE state WHEN 'queued' THEN 'queued in pool ' || pool
                         ELSE 'scheduled: waiting for a slot in pool ' || pool END,
              jsonb_build_object('event', state, 'pool', pool), 'engine'
         FROM queued)
     SELECT run_id, task_id, try_number, try_key, pool, state, priority FROM queued
     UNION ALL
     SELECT id, NULL, NULL, NULL, NULL, NULL, NULL FROM current`,
);

/**
 * Applies the decisions of one evaluation per run, for any number of runs, in one statement.
 * Only tasks still waiting (`none`) change, so applying a decision twice changes nothing; a run
 * ends when its `runState` is final. A cancelled run keeps its state (only a clear or mark, which
 * reopen it, changes it), so a try recorded just before the cancel cannot turn it failed. A run whose version moved on since its states were read (a
 * clear or mark committed meanwhile) is left alone and reported as stale: decide again from a
 * fresh read. The run rows are share-locked while the decisions apply, so a clear or mark waits.
 * Each queued try gets a new key (the try_number trigger) and its `queued` line in the try's log.
 * A task due to start whose pool has a limit or whose DAG has a cap goes to `scheduled` instead
 * (its try is created when a slot is granted, see `grantSlots`), with a `scheduled` line; it is
 * reported in `scheduled`, by pool, for the caller to grant slots once this has committed.
 */
export async function applyTransitions(
  knex: Knex | Knex.Transaction,
  changes: RunTransitions[],
): Promise<{ queued: QueuedRow[]; scheduled: string[]; stale: number[] }> {
  if (changes.length === 0) return { queued: [], scheduled: [], stale: [] };
  const runs = changes.map((c) => ({
    run_id: c.runId,
    version: c.version ?? null,
    state: c.runState,
    write_state: !(c.previousRunState === 'running' && c.runState === 'running'),
  }));
  const queue = changes.flatMap((c) => c.queue.map((task_id) => ({ run_id: c.runId, task_id })));
  const settle = changes.flatMap((c) =>
    c.settle.map((s) => ({ run_id: c.runId, task_id: s.taskId, state: s.state })),
  );
  const { rows } = await runPrepared(knex, APPLY_TRANSITIONS, [
    JSON.stringify(runs),
    JSON.stringify(settle),
    JSON.stringify(queue),
  ]);
  const applied = new Set<number>();
  const queued: QueuedRow[] = [];
  const scheduled = new Set<string>();
  for (const { state, ...r } of rows as Array<QueuedRow & { state: string | null }>) {
    if (r.task_id === null) applied.add(r.run_id);
    else if (state === 'scheduled') scheduled.add(r.pool);
    else queued.push(r);
  }
  return {
    queued,
    scheduled: [...scheduled],
    stale: changes.map((c) => c.runId).filter((id) => !applied.has(id)),
  };
}
