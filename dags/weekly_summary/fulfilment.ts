import type { FulfilmentMetrics } from '../../inventory/fulfilment/index.js';

/** The fulfilment figures the weekly summary reports per warehouse, compared week over week. */
export const FULFILMENT_KPIS = [
  'orders_created',
  'on_time_dispatch_rate',
  'fill_rate',
  'backorders',
  'order_to_pick_p50_s',
  'order_to_pick_p95_s',
  'pick_to_dispatch_p50_s',
  'pick_to_dispatch_p95_s',
  'delivery_p50_s',
  'delivery_p95_s',
  'exceptions',
] as const satisfies ReadonlyArray<keyof FulfilmentMetrics>;
export type FulfilmentKpi = (typeof FULFILMENT_KPIS)[number];

/** One warehouse's fulfilment week: the figures and their change from the week before. */
export type WarehouseFulfilmentWeek = {
  warehouse_id: string;
  kpis: Record<FulfilmentKpi, number | null>;
  /** (this week − last week) / |last week| per figure; null when last week is zero or unknown. */
  week_over_week: Record<FulfilmentKpi, number | null>;
};

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** The change of one figure as the stock section computes it. */
export function weekOverWeek(now: number | null, before: number | null): number | null {
  return now === null || before === null || before === 0 ? null : round((now - before) / Math.abs(before));
}

/**
 * Every warehouse with fulfilment figures this week or the week before (a warehouse that stopped
 * shipping shows zeros against last week's), by id. The figures are the definition's as computed.
 */
export function fulfilmentWeeks(
  current: readonly FulfilmentMetrics[],
  previous: readonly FulfilmentMetrics[],
): WarehouseFulfilmentWeek[] {
  const ids = [...new Set([...current, ...previous].map((m) => m.warehouse_id))].sort();
  const pick = (rows: readonly FulfilmentMetrics[], id: string) => {
    const row = rows.find((m) => m.warehouse_id === id);
    return Object.fromEntries(
      FULFILMENT_KPIS.map((k) => [k, row ? row[k] : k.endsWith('_s') || k.endsWith('_rate') ? null : 0]),
    ) as Record<FulfilmentKpi, number | null>;
  };
  return ids.map((warehouse_id) => {
    const kpis = pick(current, warehouse_id);
    const before = pick(previous, warehouse_id);
    return {
      warehouse_id,
      kpis,
      week_over_week: Object.fromEntries(
        FULFILMENT_KPIS.map((k) => [k, weekOverWeek(kpis[k], before[k])]),
      ) as Record<FulfilmentKpi, number | null>,
    };
  });
}
