import type { TaskLogger } from '../../engine/index.js';
import type { Knex } from '../../platform/index.js';
import { count, logInterval, step } from '../steps.js';
import { loadStagedAggregates, refreshPairVelocity, stageTransactionAggregates } from './store/index.js';

export interface HourScope {
  runKey: string;
  start: Date;
  end: Date;
}

/** The hour a run covers, as its first log line says it: '2026-04-14T10:00Z'. */
const hourOf = (start: Date) => `${start.toISOString().slice(0, 16)}Z`;

/** aggregate_transactions: stages the hour, day and week buckets of the hour and its late rows. */
export async function aggregateTransactions(
  knex: Knex,
  log: TaskLogger,
  scope: HourScope,
  lateLookbackHours: number,
) {
  logInterval(log, `hour ${hourOf(scope.start)}`, scope, { hour: hourOf(scope.start) });
  return step(
    log,
    'stage',
    () => stageTransactionAggregates(knex, { ...scope, lateLookbackHours }),
    (r) => {
      const late = r.hours.filter((h) => Date.parse(h) < scope.start.getTime()).length;
      const written = r.staged.hour + r.staged.day + r.staged.week;
      return {
        message:
          `${count(r.transactions, 'transaction')} of ${count(r.hours.length, 'hour')} read ` +
          `(${late} late), ${count(written, 'bucket')} staged: ${r.staged.hour} hour, ${r.staged.day} day, ${r.staged.week} week`,
        fields: {
          rows_read: r.transactions,
          rows_written: written,
          hours: r.hours.length,
          late_hours: late,
          staged: r.staged,
        },
      };
    },
  );
}

/** load_aggregates: replaces the covered buckets in transaction_aggregates. */
export async function loadAggregates(
  knex: Knex,
  log: TaskLogger,
  scope: HourScope,
  hours: readonly string[],
) {
  logInterval(log, `hour ${hourOf(scope.start)}`, scope, { hour: hourOf(scope.start) });
  return step(
    log,
    'load',
    () => loadStagedAggregates(knex, { runKey: scope.runKey, hours }),
    (r) => ({
      message: `${count(r.staged, 'staged row')} read, ${r.changed} inserted or changed, ${r.deleted} stale hour ${r.deleted === 1 ? 'bucket' : 'buckets'} deleted`,
      fields: { rows_read: r.staged, rows_written: r.changed, ...r },
    }),
  );
}

/** update_velocity_and_trend: rolling velocity, volatility and trend of the pairs the hour touched. */
export async function updateVelocityAndTrend(knex: Knex, log: TaskLogger, scope: HourScope) {
  logInterval(log, `hour ${hourOf(scope.start)}`, scope, { hour: hourOf(scope.start) });
  const r = await step(
    log,
    'velocity',
    () => refreshPairVelocity(knex, scope),
    (v) => ({
      message: `${count(v.touched, 'pair')} touched, ${v.updated} updated`,
      fields: { rows_read: v.touched, rows_written: v.updated, ...v },
    }),
  );
  return { pairs: r.updated, touched: r.touched };
}
