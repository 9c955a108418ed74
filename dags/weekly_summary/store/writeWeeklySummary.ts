import type { Knex } from '../../../platform/index.js';

/** Stores one week's summary; an unchanged summary keeps its computed_at. */
export async function writeWeeklySummary(
  knex: Knex,
  summary: { weekStart: string; weekEnd: string; metrics: unknown; reportHtml: string },
): Promise<boolean> {
  const result = await knex.raw(
    `INSERT INTO analytics.weekly_summaries AS w (week_start, week_end, metrics, report_html)
     VALUES (:ws, :we, :metrics::jsonb, :html)
     ON CONFLICT (week_start) DO UPDATE SET week_end = EXCLUDED.week_end, metrics = EXCLUDED.metrics,
       report_html = EXCLUDED.report_html, computed_at = now()
     WHERE (w.week_end, w.metrics, w.report_html) IS DISTINCT FROM (EXCLUDED.week_end, EXCLUDED.metrics, EXCLUDED.report_html)`,
    {
      ws: summary.weekStart,
      we: summary.weekEnd,
      metrics: JSON.stringify(summary.metrics),
      html: summary.reportHtml,
    },
  );
  return (result.rowCount ?? 0) > 0;
}
