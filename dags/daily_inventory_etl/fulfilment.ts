import type { TaskLogger } from '../../engine/index.js';
import { writeDailyFulfilmentMetrics } from '../../inventory/fulfilment/index.js';
import type { Knex } from '../../platform/index.js';
import { count, logInterval, step } from '../steps.js';

/**
 * load_fulfilment_metrics: the fulfilment metrics of UTC day D per warehouse
 * (analytics.daily_fulfilment_metrics), from the one definition the fulfilment owner keeps
 * (`FULFILMENT_METRICS_SQL`). The run of day D starts at D+1 02:00, when the day's picks,
 * dispatches and deliveries are in; a rerun replaces the day's rows with the same ones.
 */
export async function loadFulfilmentMetrics(knex: Knex, log: TaskLogger, day: string) {
  const start = new Date(`${day}T00:00:00.000Z`);
  logInterval(log, `day ${day}`, { start, end: new Date(start.getTime() + 86_400_000) }, { day });
  const rows = await step(
    log,
    'fulfilment',
    () => writeDailyFulfilmentMetrics(knex, day),
    (n) => ({
      message: `${count(n, 'warehouse')} for ${day}`,
      fields: { day, rows_written: n },
    }),
  );
  return { day, warehouses: rows };
}
