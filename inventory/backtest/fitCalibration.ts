/**
 * Fitting the stock-out probability's calibration (SPEC §5): a monotone mapping from the model's
 * z-score to the share of pair-days that really ran out, on a training history's pair-days.
 */
import { leadTimeDemand, stockoutZ, type StockoutCalibration } from '../analytics/index.js';
import type { StockoutCase } from './store/stockoutCases.js';

/** One training case: the z-score of the pair-day and whether it ran out within its lead time. */
export interface ZCase {
  z: number;
  outcome: boolean;
}

/**
 * The z-score of a backtest case with on-order stock counted, on the demand the row was planned
 * on (its forecast; the §5 statistics on rows from before it); null when it has no on-order figure.
 */
export function zOfCase(c: StockoutCase): number | null {
  if (c.on_order === null) return null;
  const demand = leadTimeDemand({
    expectedDailyDemand: c.expected_daily_demand,
    volatility: c.volatility,
    leadTimeDays: c.lead_time_days,
    forecast:
      c.lead_time_demand_mean === null
        ? null
        : { mean: c.lead_time_demand_mean, sigma: c.lead_time_demand_sigma ?? 0 },
  });
  return stockoutZ(
    {
      available: c.on_hand - c.reserved,
      onOrder: c.on_order,
      daysToNextReceipt: c.receipt_days,
      leadTimeDays: c.lead_time_days,
    },
    demand,
  );
}

/**
 * Isotonic regression of the outcome on z (pool-adjacent-violators), as calibration knots: the
 * cases are sorted by z and pooled into blocks whose event rates never decrease, each block at
 * least `minBlock` cases (so a knot's rate rests on enough pair-days) and equal z-scores never
 * split; a block becomes the knot (mean z, event rate). Throws without cases.
 */
export function fitIsotonic(
  cases: readonly ZCase[],
  minBlock = 200,
): StockoutCalibration & { cases: number } {
  if (cases.length === 0) throw new Error('cannot fit a calibration without cases');
  const sorted = [...cases].sort((x, y) => x.z - y.z);
  interface Block {
    n: number;
    events: number;
    sumZ: number;
  }
  const rate = (b: Block) => b.events / b.n;
  const blocks: Block[] = [];
  let current: Block = { n: 0, events: 0, sumZ: 0 };
  for (let i = 0; i < sorted.length; i++) {
    const c = sorted[i]!;
    current.n += 1;
    current.events += c.outcome ? 1 : 0;
    current.sumZ += c.z;
    // Equal z-scores stay in one block: a knot per z.
    if (current.n < minBlock || sorted[i + 1]?.z === c.z) continue;
    blocks.push(current);
    current = { n: 0, events: 0, sumZ: 0 };
    // Pool while the newest block's rate falls below its predecessor's.
    while (blocks.length > 1 && rate(blocks[blocks.length - 1]!) <= rate(blocks[blocks.length - 2]!)) {
      const last = blocks.pop()!;
      const prev = blocks[blocks.length - 1]!;
      prev.n += last.n;
      prev.events += last.events;
      prev.sumZ += last.sumZ;
    }
  }
  if (current.n > 0) {
    // The remainder joins the last block (too few cases for a knot of its own).
    const last = blocks[blocks.length - 1];
    if (last) {
      last.n += current.n;
      last.events += current.events;
      last.sumZ += current.sumZ;
    } else blocks.push(current);
    while (blocks.length > 1 && rate(blocks[blocks.length - 1]!) <= rate(blocks[blocks.length - 2]!)) {
      const l = blocks.pop()!;
      const prev = blocks[blocks.length - 1]!;
      prev.n += l.n;
      prev.events += l.events;
      prev.sumZ += l.sumZ;
    }
  }
  const round = (x: number, digits: number) => Number(x.toFixed(digits));
  const knots = blocks.map((b) => [round(b.sumZ / b.n, 3), round(rate(b), 4)] as const);
  return { knots, cases: cases.length };
}
