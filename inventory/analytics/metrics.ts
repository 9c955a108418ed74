import { InvalidInputError } from '../../platform/index.js';
import { expectedDailyDemand, leadTimeSigma, safetyStock, stockoutRisk } from './risk.js';
import { leadTimeDemand, type LeadTimeDemand } from './stockoutProbability.js';
import { seasonalityIndex, trend, velocity, volatility } from './velocity.js';

/** Length of the analytics window in days (SPEC §5). */
export const WINDOW_DAYS = 30;

export interface MetricsInput {
  /**
   * Units sold per UTC day, oldest first, day D last; at most 30 values. A shorter series is
   * padded with zero days at the old end, because a day without sales counts as zero.
   */
  dailySales: readonly number[];
  /** Quantity on hand at the end of day D. */
  onHand: number;
  /** Quantity reserved at the end of day D. */
  reserved: number;
  /** The product's lead time L, in days. */
  leadTimeDays: number;
  /**
   * The pair's demand forecast for the lead time (`analytics.lead_time_demand`): when given, the
   * safety stock, reorder point and reorder quantity are planned on it instead of on μ and the
   * volatility (`leadTimeDemand`). The first-round `stockout_risk` keeps its §5 definition.
   */
  forecast?: LeadTimeDemand | null;
}

/** The SPEC §5 metric set of one (sku, warehouse) — the columns of `analytics.processed_metrics`. */
export interface Metrics {
  velocity_7d: number;
  velocity_30d: number;
  volatility: number;
  trend: number;
  seasonality_index: number;
  expected_daily_demand: number;
  stockout_risk: number;
  safety_stock: number;
  reorder_point: number;
  reorder_quantity: number;
  /** available / μ; null when μ = 0. */
  days_of_cover: number | null;
}

/** Computes every SPEC §5 metric of one pair. Throws `InvalidInputError` on impossible input. */
export function computeMetrics(input: MetricsInput): Metrics {
  const { dailySales, onHand, reserved, leadTimeDays } = input;
  if (dailySales.length > WINDOW_DAYS) {
    throw new InvalidInputError(`dailySales has ${dailySales.length} values; at most ${WINDOW_DAYS} allowed`);
  }
  if (dailySales.some((x) => !Number.isFinite(x) || x < 0)) {
    throw new InvalidInputError('dailySales must be finite numbers ≥ 0');
  }
  if (!Number.isFinite(onHand) || !Number.isFinite(reserved)) {
    throw new InvalidInputError('onHand and reserved must be finite numbers');
  }
  if (!Number.isFinite(leadTimeDays) || leadTimeDays <= 0) {
    throw new InvalidInputError(`leadTimeDays must be > 0 (got ${leadTimeDays})`);
  }
  const series = [...new Array<number>(WINDOW_DAYS - dailySales.length).fill(0), ...dailySales];

  const velocity_7d = velocity(series, 7);
  const velocity_30d = velocity(series, WINDOW_DAYS);
  const vol = volatility(series);
  const slope = trend(series);
  const mu = expectedDailyDemand(velocity_7d, velocity_30d, slope, leadTimeDays);
  const sigmaL = leadTimeSigma(vol, leadTimeDays);
  const available = onHand - reserved;
  // What replenishment is planned on: the forecast when there is one (SPEC §5 shape kept).
  const planned = leadTimeDemand({
    expectedDailyDemand: mu,
    volatility: vol,
    leadTimeDays,
    forecast: input.forecast,
  });
  const dailyDemand = input.forecast ? planned.mean / leadTimeDays : mu;
  const safety = safetyStock(planned.sigma);
  const reorderPoint = planned.mean + safety;

  return {
    velocity_7d,
    velocity_30d,
    volatility: vol,
    trend: slope,
    seasonality_index: seasonalityIndex(velocity_7d, velocity_30d),
    expected_daily_demand: mu,
    stockout_risk: stockoutRisk(available, mu * leadTimeDays, sigmaL),
    safety_stock: safety,
    reorder_point: reorderPoint,
    reorder_quantity: Math.max(0, Math.ceil(reorderPoint + 7 * dailyDemand - available)),
    days_of_cover: mu === 0 ? null : available / mu,
  };
}
