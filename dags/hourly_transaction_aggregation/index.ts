import { z } from 'zod';
import { defineDag, task } from '../../engine/index.js';
import { aggregateTransactions, loadAggregates, updateVelocityAndTrend, type HourScope } from './tasks.js';

const DAG_ID = 'hourly_transaction_aggregation';

const params = z.object({
  /**
   * How far back a late row may have occurred and still be re-aggregated by the run it arrives
   * in; older late rows are picked up by rerunning (or backfilling) their own hour.
   * @defaultValue 48
   */
  lateLookbackHours: z
    .number()
    .int()
    .min(0)
    .max(24 * 14)
    .default(48),
});

/** The run key is stable across the tries of one run, so a retry replaces its own staged rows. */
const scopeOf = (ctx: { dataIntervalStart: Date; dataIntervalEnd: Date }): HourScope => ({
  runKey: `${DAG_ID}:${ctx.dataIntervalStart.toISOString()}`,
  start: ctx.dataIntervalStart,
  end: ctx.dataIntervalEnd,
});

const aggregate_transactions = task(
  (ctx) => aggregateTransactions(ctx.db, ctx.log, scopeOf(ctx), ctx.params.lateLookbackHours),
  {
    params,
    description: 'Hour, day and week aggregates from the ledger into staging (late rows included)',
  },
);

const load_aggregates = task(
  (ctx) => loadAggregates(ctx.db, ctx.log, scopeOf(ctx), ctx.upstream.aggregate_transactions.hours),
  {
    upstream: { aggregate_transactions },
    description: 'Replace the covered buckets in transaction_aggregates',
  },
);

/** Hour, day and week transaction aggregates, and the rolling velocity and trend (SPEC §6). */
export const hourlyTransactionAggregation = defineDag({
  id: DAG_ID,
  schedule: '0 * * * *',
  timezone: 'UTC',
  startDate: '2026-01-01T00:00:00Z',
  catchup: false,
  maxActiveRuns: 4,
  params,
  description:
    'Units in/out, counts, value and distinct references per hour, day and week; velocity and trend refresh',
  tags: ['inventory', 'analytics'],
  defaultTaskOptions: { retries: 3, retryDelayMs: 2_000, timeoutMs: 15 * 60_000 },
  tasks: {
    aggregate_transactions,
    load_aggregates,
    update_velocity_and_trend: task((ctx) => updateVelocityAndTrend(ctx.db, ctx.log, scopeOf(ctx)), {
      upstream: { load_aggregates },
      description: 'Rolling 7/30-day velocity, volatility and trend per touched pair',
    }),
  },
});
