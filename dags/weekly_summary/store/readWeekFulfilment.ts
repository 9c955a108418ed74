import type { Knex } from '../../../platform/index.js';
import { computeFulfilmentMetrics, type FulfilmentMetrics } from '../../../inventory/fulfilment/index.js';

/**
 * One warehouse's fulfilment figures over a week, as the definition computes them (a type alias
 * of the owner's interface, so a task can return it as JSON).
 */
export type WeekFulfilment = { [K in keyof FulfilmentMetrics]: FulfilmentMetrics[K] };

/**
 * The fulfilment figures of one ISO week per warehouse: the fulfilment owner's one definition
 * over the seven whole UTC days from Monday 00:00 (percentiles over the week's own values, not
 * an average of the days').
 */
export function readWeekFulfilment(knex: Knex, weekStart: string): Promise<WeekFulfilment[]> {
  const from = new Date(`${weekStart}T00:00:00.000Z`);
  return computeFulfilmentMetrics(knex, { from, to: new Date(from.getTime() + 7 * 86_400_000) });
}
