import type { FulfilmentMetrics } from '../../inventory/fulfilment/index.js';
import { fulfilmentWeeks, type WarehouseFulfilmentWeek } from './fulfilment.js';
import type { Mover, WeekFigures } from './store/index.js';

/** The KPIs compared week over week. */
export const KPIS = [
  'transactions',
  'units_in',
  'units_out',
  'units_sold',
  'sales_value',
  'turnover',
  'stockout_rate',
  'fill_rate',
  'dq_score',
] as const;
export type Kpi = (typeof KPIS)[number];

export type WeeklyMetrics = {
  week_start: string;
  week_end: string;
  kpis: Record<Kpi, number | null>;
  /** (this week − last week) / |last week| per KPI; null when last week is zero or unknown. */
  week_over_week: Record<Kpi, number | null>;
  daily_units_sold: number[];
  top_movers: Mover[];
  bottom_movers: Mover[];
  dq_runs: number;
  /**
   * Per warehouse, the fulfilment figures of the week (the fulfilment definition over its seven
   * days) and their change; absent from summaries stored before the section existed.
   */
  fulfilment?: WarehouseFulfilmentWeek[];
};

const ratio = (a: number, b: number | null) => (b === null || b === 0 ? null : round(a / b));
const round = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * Ratios of one week's figures: turnover = cost of goods sold / average inventory value (for the
 * week), stock-out rate = pair-days with nothing available / pair-days, fill rate = units covered
 * by stock / units demanded.
 */
export function kpisOf(f: WeekFigures): Record<Kpi, number | null> {
  return {
    transactions: f.transactions,
    units_in: f.units_in,
    units_out: f.units_out,
    units_sold: f.units_sold,
    sales_value: f.sales_value,
    turnover: ratio(f.cost_of_goods_sold, f.avg_inventory_value),
    stockout_rate: ratio(f.stockout_pair_days, f.pair_days),
    fill_rate: ratio(f.units_filled, f.units_demanded),
    dq_score: f.dq_score,
  };
}

export function computeWeeklyMetrics(
  current: WeekFigures,
  previous: WeekFigures,
  weekEnd: string,
  fulfilment: { current: readonly FulfilmentMetrics[]; previous: readonly FulfilmentMetrics[] } = {
    current: [],
    previous: [],
  },
): WeeklyMetrics {
  const now = kpisOf(current);
  const before = kpisOf(previous);
  const week_over_week = Object.fromEntries(
    KPIS.map((k) => {
      const a = now[k];
      const b = before[k];
      return [k, a === null || b === null || b === 0 ? null : round((a - b) / Math.abs(b))];
    }),
  ) as Record<Kpi, number | null>;
  return {
    week_start: current.week_start,
    week_end: weekEnd,
    kpis: now,
    week_over_week,
    daily_units_sold: current.daily_units_sold,
    top_movers: current.top_movers,
    bottom_movers: current.bottom_movers,
    dq_runs: current.dq_runs,
    fulfilment: fulfilmentWeeks(fulfilment.current, fulfilment.previous),
  };
}
