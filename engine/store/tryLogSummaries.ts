import type { Knex } from 'knex';

export interface TryLogSummary {
  try_number: number;
  /** The last engine event that ended the try (succeeded, retried, failed, handed_back, marked), if any. */
  ended_by: string | null;
  lines: number;
  first_at: Date;
  last_at: Date;
}

/** Per try of a task instance: how many lines it logged, when, and how the engine saw it end. */
export async function tryLogSummaries(knex: Knex, runId: number, taskId: string): Promise<TryLogSummary[]> {
  const { rows } = await knex.raw(
    `SELECT try_number,
            (array_agg(fields->>'event' ORDER BY id DESC)
               FILTER (WHERE source = 'engine'
                         AND fields->>'event' IN ('succeeded', 'retried', 'failed', 'handed_back', 'marked')))[1]
              AS ended_by,
            count(*)::int AS lines, min(logged_at) AS first_at, max(logged_at) AS last_at
       FROM orchestrator.task_logs
      WHERE run_id = ? AND task_id = ?
      GROUP BY try_number ORDER BY try_number`,
    [runId, taskId],
  );
  return rows;
}
