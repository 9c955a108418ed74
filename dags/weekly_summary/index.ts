import { defineDag, task } from '../../engine/index.js';
import { mondayOf, utcDay } from '../interval.js';
import { inventoryServices } from '../services.js';
import { dailySnapshots, weeklySummaries } from '../assets.js';
import type { Page, PageRequest } from '../../db/index.js';
import type { Knex } from '../../platform/index.js';
import type { WeeklyMetrics } from './metrics.js';
import * as store from './store/index.js';
import type { WeeklySummaryReport, WeeklySummaryRow } from './store/index.js';
import { aggregateWeek, buildReport, computeWeekly, sendReport } from './tasks.js';

/** The ISO week a run reports: the one its interval starts in (Monday 01:00 → that Monday). */
const weekOf = (ctx: { dataIntervalStart: Date }) => mondayOf(utcDay(ctx.dataIntervalStart));

const aggregate_week = task((ctx) => aggregateWeek(ctx.db, ctx.log, weekOf(ctx)), {
  description: 'Throughput, stock, fill, quality and fulfilment figures of the week and the week before',
  inlets: [dailySnapshots],
});
const compute_weekly_metrics = task((ctx) => computeWeekly(ctx.log, ctx.upstream.aggregate_week), {
  upstream: { aggregate_week },
  description: 'Turnover, stock-out rate, fill rate, movers, fulfilment per warehouse, week-over-week change',
});
const build_report = task(
  (ctx) =>
    buildReport(
      ctx.db,
      ctx.log,
      inventoryServices(ctx.services).config.DATA_DIR,
      ctx.upstream.compute_weekly_metrics,
    ),
  {
    upstream: { compute_weekly_metrics },
    description: 'HTML report with an inline SVG chart, stored',
    outlets: [weeklySummaries],
  },
);

/**
 * Monday 01:00 UTC: the previous week's summary, stored and e-mailed (SPEC §6). The run is created
 * once the week's seven daily snapshots exist: Sunday's comes from the ETL run due at Monday
 * 02:00, so on cron alone the summary would read a week without its Sunday.
 */
export const weeklySummary = defineDag({
  id: 'weekly_summary',
  schedule: '0 1 * * 1',
  waitForAssets: [dailySnapshots],
  timezone: 'UTC',
  startDate: '2026-01-05T00:00:00Z',
  catchup: false,
  maxActiveRuns: 1,
  description:
    'Weekly throughput, turnover, stock-out and fill rates, movers and data-quality score, e-mailed',
  tags: ['inventory', 'reports'],
  defaultTaskOptions: { retries: 2, retryDelayMs: 30_000, timeoutMs: 30 * 60_000 },
  tasks: {
    aggregate_week,
    compute_weekly_metrics,
    build_report,
    send_report: task(
      (ctx) =>
        sendReport(ctx.db, ctx.log, inventoryServices(ctx.services), ctx.upstream.build_report.weekStart),
      {
        upstream: { build_report },
        description: 'E-mail the report',
      },
    ),
  },
});

/** The stored weeks, newest first, with their metrics typed. */
export const listWeeklySummaries: (
  knex: Knex,
  page: PageRequest,
) => Promise<Page<WeeklySummaryRow<WeeklyMetrics>>> = store.listWeeklySummaries;
/** One stored week with its e-mailed report and the week before; undefined when never summarised. */
export const readWeeklySummary: (
  knex: Knex,
  weekStart: string,
) => Promise<WeeklySummaryReport<WeeklyMetrics> | undefined> = store.readWeeklySummary;
export type WeeklySummary = WeeklySummaryRow<WeeklyMetrics>;
export type WeeklyReport = WeeklySummaryReport<WeeklyMetrics>;
export { KPIS, type Kpi, type WeeklyMetrics } from './metrics.js';
export { KPI_LABELS, formatChange, formatKpi } from './report.js';
export { FULFILMENT_KPIS, type FulfilmentKpi, type WarehouseFulfilmentWeek } from './fulfilment.js';
export { FULFILMENT_KPI_LABELS, formatFulfilmentKpi } from './fulfilmentReport.js';
