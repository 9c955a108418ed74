import type { Knex } from 'knex';
import type { WeeklySummaryRow } from './listWeeklySummaries.js';

/** One stored week with the report as it was e-mailed, and the neighbouring stored weeks. */
export interface WeeklySummaryReport<M = unknown> extends WeeklySummaryRow<M> {
  /** The HTML body of the e-mail, exactly as stored. */
  report_html: string;
  /** The stored week before this one, if any (its KPIs are what week over week compares to). */
  previous: WeeklySummaryRow<M> | null;
  /** The Monday of the stored week before this one, if any (not necessarily seven days earlier). */
  previous_week_start: string | null;
  /** The Monday of the next stored week, if any. */
  next_week_start: string | null;
}

/** The week starting on `weekStart` (a Monday, YYYY-MM-DD); undefined when it was never summarised. */
export async function readWeeklySummary<M = unknown>(
  knex: Knex,
  weekStart: string,
): Promise<WeeklySummaryReport<M> | undefined> {
  const { rows } = await knex.raw(
    `SELECT to_char(w.week_start, 'YYYY-MM-DD') AS week_start, to_char(w.week_end, 'YYYY-MM-DD') AS week_end,
            w.metrics, w.computed_at, w.report_html,
            (SELECT jsonb_build_object('week_start', to_char(p.week_start, 'YYYY-MM-DD'),
                                       'week_end', to_char(p.week_end, 'YYYY-MM-DD'),
                                       'metrics', p.metrics, 'computed_at', p.computed_at)
             FROM analytics.weekly_summaries p WHERE p.week_start = w.week_start - 7) AS previous,
            (SELECT to_char(max(b.week_start), 'YYYY-MM-DD') FROM analytics.weekly_summaries b
             WHERE b.week_start < w.week_start) AS previous_week_start,
            (SELECT to_char(min(n.week_start), 'YYYY-MM-DD') FROM analytics.weekly_summaries n
             WHERE n.week_start > w.week_start) AS next_week_start
     FROM analytics.weekly_summaries w WHERE w.week_start = CAST(:weekStart AS date)`,
    { weekStart },
  );
  const row = rows[0] as WeeklySummaryReport<M> | undefined;
  if (row?.previous) row.previous.computed_at = new Date(row.previous.computed_at);
  return row;
}
