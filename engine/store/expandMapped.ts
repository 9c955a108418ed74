import type { Knex } from 'knex';
import { mappedOutputsSql } from './mappedOutputs.js';

/** A mapped task to expand: its upstream list, and the pool and retries its instances get. */
export interface MappedParent {
  taskId: string;
  over: string;
  pool: string;
  retries: number;
}

/** What an expansion made of a mapped task: `running` with its instances, or ended at once. */
export interface Expansion {
  task_id: string;
  state: 'running' | 'skipped' | 'failed';
  /** Instances `task_id[0]` … `task_id[map_count - 1]`, waiting (`none`) to be queued. */
  map_count: number | null;
}

/**
 * Expands mapped tasks still waiting (`none`) into one instance per element of their upstream's
 * output, in one statement: the parent row becomes `running` with `map_count` instances, `skipped`
 * for an empty list, `failed` (with the reason as its error) when the upstream did not succeed or
 * its output is not a list. Instances are created waiting, to be queued by `applyTransitions`;
 * those of an earlier expansion (a cleared task, reset with it) are kept, with their tries and
 * logs, and those past the new list's end are deleted with their logs. The parent's log (try 0)
 * gets an `expanded` line, or its failure. A parent no longer waiting is left alone, so a second
 * expansion of the same task changes nothing. The caller holds the run (lock or version check).
 */
export async function expandMapped(
  trx: Knex.Transaction,
  runId: number,
  parents: MappedParent[],
): Promise<Expansion[]> {
  if (parents.length === 0) return [];
  const { rows } = await trx.raw(
    `WITH p AS (
       SELECT * FROM jsonb_to_recordset(CAST(:parents AS jsonb)) AS p(task_id text, over text, pool text, retries int)),
     src AS (
       SELECT p.*, o.state AS over_state,
              CASE WHEN o.map_count IS NOT NULL THEN ${mappedOutputsSql('o')} ELSE o.output END AS list
         FROM p LEFT JOIN orchestrator.task_instances o ON o.run_id = :run AND o.task_id = p.over),
     sized AS (
       SELECT src.*,
              CASE WHEN over_state = 'success' AND jsonb_typeof(list) = 'array' THEN jsonb_array_length(list) END AS n,
              CASE WHEN over_state IS DISTINCT FROM 'success'
                     THEN format('nothing to map over: upstream ''%s'' did not succeed (%s)', over,
                                 coalesce(over_state, 'missing'))
                   WHEN jsonb_typeof(list) <> 'array'
                     THEN format('cannot map over upstream ''%s'': its output is %s, not a list', over,
                                 CASE jsonb_typeof(list) WHEN 'object' THEN 'an object' WHEN 'null' THEN 'null'
                                      ELSE 'a ' || jsonb_typeof(list) END) END AS problem
         FROM src),
     parent AS (
       UPDATE orchestrator.task_instances ti
          SET state = CASE WHEN s.n IS NULL THEN 'failed' WHEN s.n = 0 THEN 'skipped' ELSE 'running' END,
              map_count = s.n, output = NULL, error = s.problem, worker_id = NULL,
              queued_at = clock_timestamp(), started_at = clock_timestamp(),
              ended_at = CASE WHEN s.n > 0 THEN NULL ELSE clock_timestamp() END
         FROM sized s
        WHERE ti.run_id = :run AND ti.task_id = s.task_id AND ti.state = 'none'
       RETURNING ti.task_id, ti.dag_id, ti.state, ti.map_count, ti.try_number, ti.pool_slots, ti.priority_weight,
                 s.pool, s.retries, s.over, s.problem),
     removed AS (
       DELETE FROM orchestrator.task_instances c USING parent
        WHERE c.run_id = :run AND c.map_parent = parent.task_id AND c.map_index >= coalesce(parent.map_count, 0)
       RETURNING c.task_id),
     removed_logs AS (
       DELETE FROM orchestrator.task_logs l USING removed WHERE l.run_id = :run AND l.task_id = removed.task_id),
     children AS (
       INSERT INTO orchestrator.task_instances
         (run_id, dag_id, task_id, pool, max_tries, state, try_number, map_parent, map_index,
          pool_slots, priority_weight)
       SELECT :run, parent.dag_id, parent.task_id || '[' || i || ']', parent.pool, parent.retries + 1, 'none', 0,
              parent.task_id, i, parent.pool_slots, parent.priority_weight
         FROM parent CROSS JOIN LATERAL generate_series(0, coalesce(parent.map_count, 0) - 1) AS i
       ON CONFLICT (run_id, task_id) DO NOTHING),
     logged AS (
       INSERT INTO orchestrator.task_logs (run_id, task_id, try_number, level, message, fields, source)
       SELECT :run, task_id, try_number,
              CASE WHEN state = 'failed' THEN 'error' ELSE 'info' END,
              CASE WHEN state = 'failed' THEN 'failed: ' || problem
                   WHEN map_count = 0 THEN format('skipped: upstream ''%s'' returned an empty list', over)
                   ELSE format('expanded into %s mapped instances over upstream ''%s''', map_count, over) END,
              CASE WHEN state = 'failed' THEN jsonb_build_object('event', 'failed', 'reason', problem)
                   ELSE jsonb_build_object('event', 'expanded', 'over', over, 'count', map_count) END,
              'engine'
         FROM parent)
     SELECT task_id, state, map_count FROM parent`,
    {
      run: runId,
      parents: JSON.stringify(
        parents.map((p) => ({ task_id: p.taskId, over: p.over, pool: p.pool, retries: p.retries })),
      ),
    },
  );
  return rows as Expansion[];
}
