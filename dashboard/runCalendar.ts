import type { RouteDeps } from './deps.js';
import type { RunState } from './engine.js';

/** Worst first: a day with one failed run is a failed day, whatever else ran. */
const SEVERITY: readonly RunState[] = ['failed', 'cancelled', 'running', 'success'];

export interface CalendarDay {
  /** UTC day of the runs' logical dates, `YYYY-MM-DD`. */
  day: string;
  runs: Record<RunState, number>;
  worst: RunState;
}

export interface RunCalendar {
  dag_id: string;
  year: number;
  /** Days with at least one run, in date order. */
  days: CalendarDay[];
}

/** The runs of a DAG per UTC day of one year, each day with the worst state among its runs. */
export async function runCalendarOf(
  deps: Pick<RouteDeps, 'engine'>,
  dagId: string,
  year: number,
): Promise<RunCalendar> {
  const rows = await deps.engine.runStatesByDay(
    dagId,
    new Date(Date.UTC(year, 0, 1)),
    new Date(Date.UTC(year + 1, 0, 1)),
  );
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
  return { dag_id: dagId, year, days: [...days.values()] };
}
