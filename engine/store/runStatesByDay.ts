import type { Knex } from 'knex';
import type { RunState } from './types.js';

/** How many runs of a DAG ended in each state on one UTC day (`YYYY-MM-DD`) of logical date. */
export interface RunDayCount {
  day: string;
  state: RunState;
  runs: number;
}

/** Run counts per UTC day of logical date and state, for logical dates in [from, to). */
export async function runStatesByDay(
  knex: Knex,
  dagId: string,
  from: Date,
  to: Date,
): Promise<RunDayCount[]> {
  const { rows } = await knex.raw(
    `SELECT to_char(logical_date AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, state, count(*)::int AS runs
       FROM orchestrator.dag_runs
      WHERE dag_id = ? AND logical_date >= ? AND logical_date < ?
      GROUP BY 1, 2 ORDER BY 1, 2`,
    [dagId, from, to],
  );
  return rows as RunDayCount[];
}
