import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readWeekFigures, writeWeeklySummary, type WeekFigures } from './store/index.js';
import type { Knex } from '../../platform/index.js';
import { addDays } from '../interval.js';
import type { DagServices } from '../services.js';
import { computeWeeklyMetrics, type WeeklyMetrics } from './metrics.js';
import { renderWeeklyReport, weekEndOf } from './report.js';

/** aggregate_week: raw figures of the week and of the week before it. */
export async function aggregateWeek(knex: Knex, weekStart: string) {
  return {
    current: await readWeekFigures(knex, weekStart),
    previous: await readWeekFigures(knex, addDays(weekStart, -7)),
  };
}

/** compute_weekly_metrics: KPIs and their week-over-week change. */
export function computeWeekly(figures: { current: WeekFigures; previous: WeekFigures }): WeeklyMetrics {
  return computeWeeklyMetrics(figures.current, figures.previous, weekEndOf(figures.current.week_start));
}

export function reportPath(dataDir: string, weekStart: string): string {
  return path.join(dataDir, 'reports', 'weekly_summary', `week=${weekStart}.html`);
}

/**
 * build_report: renders the report, stores it with the metrics in analytics.weekly_summaries and
 * writes it to DATA_DIR/reports/weekly_summary/week=YYYY-MM-DD.html. The HTML depends only on the
 * metrics, so a rerun stores the same row.
 */
export async function buildReport(knex: Knex, dataDir: string, metrics: WeeklyMetrics) {
  const report = renderWeeklyReport(metrics);
  const changed = await writeWeeklySummary(knex, {
    weekStart: metrics.week_start,
    weekEnd: metrics.week_end,
    metrics,
    reportHtml: report.html,
  });
  const file = reportPath(dataDir, metrics.week_start);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, report.html);
  return { weekStart: metrics.week_start, file, changed };
}

/**
 * send_report: e-mails the stored report (HTML with the inline SVG chart, and a text part). A
 * rerun of this task sends it again, as a rerun of an e-mail task is expected to.
 */
export async function sendReport(knex: Knex, services: Pick<DagServices, 'mailer'>, weekStart: string) {
  const row = await knex('analytics.weekly_summaries').where({ week_start: weekStart }).first();
  const { subject, text } = renderWeeklyReport(row.metrics as WeeklyMetrics);
  const id = await services.mailer.send({ subject, text, html: row.report_html });
  return { weekStart, messageId: id };
}
