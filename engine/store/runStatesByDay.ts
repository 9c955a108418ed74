import type { Knex } from 'knex';
import type { RunState } from './types.js';

/** How many runs of a DAG ended in each state on one day (`YYYY-MM-DD`) of logical date. */
export interface RunDayCount {
  day: string;
  state: RunState;
  runs: number;
}

/** No time zone is further than this from UTC (Kiribati +14 h, Baker Island −12 h). */
const ZONE_SPAN_MS = 15 * 3_600_000;

/**
 * Run counts per day of logical date and state for one calendar year, days and year taken in
 * `timezone` (an IANA name): a run at 02:00 UTC in America/New_York belongs to the day before. The
 * UTC year widened by the widest zone offset bounds the scan on the (dag_id, logical_date) index.
 */
export async function runStatesByDay(
  knex: Knex,
  dagId: string,
  year: number,
  timezone: string,
): Promise<RunDayCount[]> {
  const from = new Date(Date.UTC(year, 0, 1) - ZONE_SPAN_MS);
  const to = new Date(Date.UTC(year + 1, 0, 1) + ZONE_SPAN_MS);
  const { rows } = await knex.raw(
    `SELECT to_char(logical_date AT TIME ZONE ?, 'YYYY-MM-DD') AS day, state, count(*)::int AS runs
       FROM orchestrator.dag_runs
      WHERE dag_id = ? AND logical_date >= ? AND logical_date < ?
        AND extract(year FROM logical_date AT TIME ZONE ?) = ?
      GROUP BY 1, 2 ORDER BY 1, 2`,
    [timezone, dagId, from, to, timezone, year],
  );
  return rows as RunDayCount[];
}
