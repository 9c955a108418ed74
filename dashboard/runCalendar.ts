import type { RouteDeps } from './deps.js';
import type { RunState } from './engine.js';

/** Worst first: a day with one failed run is a failed day, whatever else ran. */
const SEVERITY: readonly RunState[] = ['failed', 'cancelled', 'running', 'success'];

export interface CalendarDay {
  /** The day of the runs' logical dates in the DAG's time zone, `YYYY-MM-DD`. */
  day: string;
  runs: Record<RunState, number>;
  worst: RunState;
}

export interface RunCalendar {
  dag_id: string;
  year: number;
  /** The DAG's time zone (its schedule's), in which runs are placed on their days. */
  timezone: string;
  /** Days with at least one run, in date order. */
  days: CalendarDay[];
}

/** The year it is now in a time zone. */
export function currentYearIn(timezone: string, now = new Date()): number {
  return Number(new Intl.DateTimeFormat('en-US', { timeZone: timezone, year: 'numeric' }).format(now));
}

/**
 * The runs of a DAG per day of one year, each day with the worst state among its runs. A run
 * belongs to the day of its logical date in the DAG's time zone: a DAG of America/New_York whose
 * runs are due at 02:00 UTC shows them on the local day before, as its schedule sees them.
 */
export async function runCalendarOf(
  deps: Pick<RouteDeps, 'engine'>,
  dag: { id: string; timezone: string },
  year: number,
): Promise<RunCalendar> {
  const rows = await deps.engine.runStatesByDay(dag.id, year);
  const days = new Map<string, CalendarDay>();
  for (const r of rows) {
    let d = days.get(r.day);
    if (!d)
      days.set(
        r.day,
        (d = { day: r.day, runs: { running: 0, success: 0, failed: 0, cancelled: 0 }, worst: r.state }),
      );
    const runs = d.runs;
    runs[r.state] += r.runs;
    d.worst = SEVERITY.find((s) => runs[s] > 0)!;
  }
  return { dag_id: dag.id, year, timezone: dag.timezone, days: [...days.values()] };
}
