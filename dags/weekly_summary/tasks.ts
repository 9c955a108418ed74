import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  readWeekFigures,
  readWeekFulfilment,
  readWeeklySummary,
  writeWeeklySummary,
  type WeekFigures,
  type WeekFulfilment,
} from './store/index.js';
import type { TaskLogger } from '../../engine/index.js';
import { WareflowError, type Knex } from '../../platform/index.js';
import { addDays, isoWeek, startOfDay } from '../interval.js';
import type { DagServices } from '../services.js';
import { count, logInterval, step } from '../steps.js';
import { computeWeeklyMetrics, type WeeklyMetrics } from './metrics.js';
import { formatChange, formatKpi, renderWeeklyReport, weekEndOf } from './report.js';

/** The ISO week a task reports, logged once at its start. */
function logWeek(log: TaskLogger, weekStart: string): void {
  const week = isoWeek(weekStart);
  logInterval(
    log,
    `ISO week ${week} (${weekStart} – ${weekEndOf(weekStart)})`,
    { start: startOfDay(weekStart), end: startOfDay(addDays(weekStart, 7)) },
    { week, week_start: weekStart },
  );
}

/** What a week's figures were read from: ledger rows, snapshot rows, data-quality runs. */
function readReport(label: string, f: WeekFigures) {
  return {
    message: `${label} ${isoWeek(f.week_start)}: ${count(f.transactions, 'transaction')}, ${count(f.pair_days, 'snapshot pair-day')}, ${count(f.dq_runs, 'data-quality run')} read`,
    fields: {
      week: isoWeek(f.week_start),
      rows_read: f.transactions + f.pair_days + f.dq_runs,
      transactions: f.transactions,
      pair_days: f.pair_days,
      dq_runs: f.dq_runs,
    },
  };
}

/** What the fulfilment figures of a week were counted from, logged with them. */
function fulfilmentReport(label: string, weekStart: string, rows: WeekFulfilment[]) {
  const sum = (k: 'orders_created' | 'shipments_dispatched') => rows.reduce((n, r) => n + r[k], 0);
  return {
    message: `${label} ${isoWeek(weekStart)}: ${count(rows.length, 'warehouse')} with fulfilment, ${count(sum('orders_created'), 'order')} created, ${count(sum('shipments_dispatched'), 'shipment')} dispatched`,
    fields: {
      week: isoWeek(weekStart),
      warehouses: rows.length,
      orders_created: sum('orders_created'),
      shipments_dispatched: sum('shipments_dispatched'),
    },
  };
}

/** aggregate_week: raw figures of the week and of the week before it, stock and fulfilment. */
export async function aggregateWeek(knex: Knex, log: TaskLogger, weekStart: string) {
  logWeek(log, weekStart);
  const current = await step(
    log,
    'this week',
    () => readWeekFigures(knex, weekStart),
    (f) => readReport('week', f),
  );
  const previous = await step(
    log,
    'week before',
    () => readWeekFigures(knex, addDays(weekStart, -7)),
    (f) => readReport('week', f),
  );
  const fulfilment = {
    current: await step(
      log,
      'fulfilment this week',
      () => readWeekFulfilment(knex, weekStart),
      (rows) => fulfilmentReport('week', weekStart, rows),
    ),
    previous: await step(
      log,
      'fulfilment week before',
      () => readWeekFulfilment(knex, addDays(weekStart, -7)),
      (rows) => fulfilmentReport('week', addDays(weekStart, -7), rows),
    ),
  };
  return { current, previous, fulfilment };
}

/** compute_weekly_metrics: KPIs and their week-over-week change, the fulfilment section's per warehouse. */
export async function computeWeekly(
  log: TaskLogger,
  figures: {
    current: WeekFigures;
    previous: WeekFigures;
    fulfilment?: { current: WeekFulfilment[]; previous: WeekFulfilment[] };
  },
): Promise<WeeklyMetrics> {
  const weekStart = figures.current.week_start;
  logWeek(log, weekStart);
  return step(
    log,
    'kpis',
    () => computeWeeklyMetrics(figures.current, figures.previous, weekEndOf(weekStart), figures.fulfilment),
    (m) => ({
      message: (['units_sold', 'fill_rate', 'stockout_rate', 'turnover'] as const)
        .map((k) => `${k} ${formatKpi(k, m.kpis[k])} (${formatChange(m.week_over_week[k])})`)
        .join(', '),
      fields: { kpis: m.kpis, week_over_week: m.week_over_week },
    }),
  );
}

export function reportPath(dataDir: string, weekStart: string): string {
  return path.join(dataDir, 'reports', 'weekly_summary', `week=${weekStart}.html`);
}

/**
 * build_report: renders the report, stores it with the metrics in analytics.weekly_summaries and
 * writes it to DATA_DIR/reports/weekly_summary/week=YYYY-MM-DD.html. The HTML depends only on the
 * metrics, so a rerun stores the same row.
 */
export async function buildReport(knex: Knex, log: TaskLogger, dataDir: string, metrics: WeeklyMetrics) {
  logWeek(log, metrics.week_start);
  const report = renderWeeklyReport(metrics);
  const changed = await step(
    log,
    'summary',
    () =>
      writeWeeklySummary(knex, {
        weekStart: metrics.week_start,
        weekEnd: metrics.week_end,
        metrics,
        reportHtml: report.html,
      }),
    (c) => ({
      message: `weekly_summaries row for ${metrics.week_start} ${c ? 'written' : 'unchanged'}`,
      fields: { rows_written: c ? 1 : 0, changed: c },
    }),
  );
  const file = reportPath(dataDir, metrics.week_start);
  const bytes = Buffer.byteLength(report.html);
  await step(
    log,
    'report file',
    async () => {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, report.html);
    },
    () => ({ message: `${file}, ${bytes} bytes`, fields: { path: file, bytes } }),
  );
  return { weekStart: metrics.week_start, file, changed };
}

/**
 * send_report: e-mails the stored report (HTML with the inline SVG chart, and a text part). A
 * rerun of this task sends it again, as a rerun of an e-mail task is expected to.
 */
export async function sendReport(
  knex: Knex,
  log: TaskLogger,
  services: Pick<DagServices, 'mailer' | 'config'>,
  weekStart: string,
) {
  logWeek(log, weekStart);
  const row = await readWeeklySummary<WeeklyMetrics>(knex, weekStart);
  if (!row)
    throw new WareflowError(`no weekly summary of ${weekStart} to send: build_report has not stored it`);
  const { subject, text } = renderWeeklyReport(row.metrics);
  const recipients = services.config.ALERT_EMAIL_TO.length;
  const id = await step(
    log,
    'email',
    () => services.mailer.send({ subject, text, html: row.report_html }),
    (messageId) => ({
      message: `report sent to ${count(recipients, 'recipient')}: ${subject}`,
      fields: { rows_read: 1, recipients, subject, message_id: messageId },
    }),
  );
  return { weekStart, messageId: id };
}
