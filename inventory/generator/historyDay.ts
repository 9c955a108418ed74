/**
 * One simulated day of the history: each pair's scheduled arrivals, fulfilments and new demand in
 * time order with the injected incidents' steps, then the day's replenishment across the pairs of
 * a SKU. Split from history.ts, which drives the days.
 */
import type { Injector, Hook } from './incidents.js';
import { placeOrder } from './orders.js';
import type { Pair, PairContext, Plan } from './pair.js';
import { lineUnits, seasonality, stockPolicy, TRANSFER_CHANCE, writeOffUnits } from './shape.js';
import { DAY_MS } from './zone.js';

/** Chance per pair and open day of a cycle-count adjustment. */
const ADJUSTMENT_CHANCE = 0.04;

/** One local day of one pair: scheduled arrivals and fulfilments plus the day's new demand, in time order. */
export function simulateDay(
  ctx: PairContext,
  pair: Pair,
  k: number,
  scale: number,
  injector: Injector,
): void {
  const { rng } = ctx;
  const { site, product } = pair;
  const day = site.firstDay + k;
  const activity = site.activity[k]!;
  const waiting = pair.scheduled.get(k);
  if (waiting) pair.scheduled.delete(k);
  const dayStart = day * DAY_MS;
  const at = () => {
    const hour = rng.weighted(site.shape.cumulative);
    const [lo, hi] = site.shape.open[hour]!;
    return site.clock.toUtc(dayStart + Math.floor((lo + rng.next() * (hi - lo)) * 1000));
  };
  if (activity === 0) {
    // Closed today: deliveries, returns and pickings wait for the next open day.
    if (waiting) for (const plan of waiting) ctx.schedule(pair, k + 1, plan);
    // Only an injected incident happens on a closed day (weekend activity).
    run(ctx, pair, k, injector.steps(ctx, pair, k, false, at), injector);
    return;
  }
  const plans: Array<Plan | Hook> = injector.steps(ctx, pair, k, true, at);
  const makeUp = site.pickDelay?.get(k);
  if (waiting)
    for (const plan of waiting) {
      // A pick stoppage: the warehouse picks nothing today; the pick is made up on a later day.
      if (makeUp !== undefined && plan.kind === 'FULFIL') ctx.schedule(pair, makeUp, plan);
      else plans.push({ ...plan, at: at() } as Plan);
    }

  const d = product.demand;
  // Day-to-day noise (weather, promotions) on top of the weekly and yearly shape.
  const noise = Math.exp(0.25 * rng.normal() - 0.03) * (rng.chance(0.01) ? rng.uniform(2, 3) : 1);
  const growth = 1 + (d.growthPerYear * k) / 365;
  const lambda =
    d.salesPerDay *
    site.warehouse.demandFactor *
    scale *
    activity *
    seasonality(product, site.season[k]!) *
    growth *
    noise;
  const lines = rng.poisson(lambda);
  for (let i = 0; i < lines; i++) {
    const kind = rng.chance(d.reservationRate) ? 'RESERVE' : 'SALE';
    plans.push({
      kind,
      quantity: lineUnits(rng, d.unitsPerSale),
      at: at(),
      reference: ctx.orderReference(),
    });
  }
  if (rng.chance(ADJUSTMENT_CHANCE)) {
    const quantity = -writeOffUnits(rng);
    plans.push({ kind: 'ADJUST', quantity, at: at(), reference: `COUNT-${rng.int(100_000, 999_999)}` });
  }
  run(ctx, pair, k, plans, injector);
}

/** Carries out a day's plans and incident steps in time order, the injector watching each change. */
function run(ctx: PairContext, pair: Pair, k: number, plans: Array<Plan | Hook>, injector: Injector): void {
  plans.sort((a, b) => a.at - b.at);
  for (const plan of plans) {
    if (plan.kind === 'HOOK') plan.run();
    else if (!injector.intercept(pair, plan, k)) pair.apply(ctx, plan, k);
    injector.watch(pair, k);
  }
}

/**
 * End-of-day replenishment: a pair whose inventory position (available + on order) is at or
 * below its reorder point orders its lots from its supplier, arriving after the lead time, or
 * sometimes takes one lot from a sister warehouse with plenty of spare stock: two lots above its
 * own reorder point, and three times the lot on hand, so a transfer never empties a warehouse
 * (RAPID_DEPLETION, SPEC §7). If one lot is not enough, the rest is ordered later. Reorder points
 * and order sizes follow the forecast for the lead time ahead (season and trend), as a planner's
 * would, so stock does not run thin every spring.
 */
export function replenish(ctx: PairContext, pairs: Pair[], k: number, scale: number): void {
  const { rng } = ctx;
  const policies = pairs.map((pair) => {
    const { product, site } = pair;
    const ahead = Math.min(k + product.lead_time_days, site.season.length - 1);
    const outlook =
      seasonality(product, site.season[ahead]!) * (1 + (product.demand.growthPerYear * ahead) / 365);
    return stockPolicy(product, site.warehouse, scale, pair.policy.fraction, outlook);
  });
  const spare = (i: number) => pairs[i]!.available - policies[i]!.reorderPoint;
  pairs.forEach((pair, i) => {
    const policy = policies[i]!;
    if (pair.available + pair.onOrder > policy.reorderPoint) return;
    const { lot, lotsPerOrder } = policy;
    let donor = -1;
    for (let j = 0; j < pairs.length; j++) {
      if (j === i || spare(j) < 2 * lot || pairs[j]!.available < 3 * lot) continue;
      if (donor < 0 || spare(j) > spare(donor)) donor = j;
    }
    if (donor >= 0 && rng.chance(TRANSFER_CHANCE)) {
      pair.onOrder += lot;
      const from = pairs[donor]!;
      const reference = `TRF-${rng.int(100_000, 999_999)}`;
      const order = placeOrder(pair, k, ctx.toMs, { reference, quantity: lot, source: from });
      if (order) ctx.order?.(order);
      const transfer = { from, to: pair, planned: lot, reference, order };
      ctx.schedule(from, k + 1, {
        kind: 'TRANSFER_OUT',
        quantity: lot,
        reference: transfer.reference,
        transfer,
      });
      return;
    }
    pair.onOrder += lot * lotsPerOrder;
    const arrival = k + Math.max(1, pair.product.lead_time_days + rng.int(-1, 2));
    const reference = `PO-${rng.int(100_000, 999_999)}`;
    const order = placeOrder(pair, k, ctx.toMs, {
      reference,
      quantity: lot * lotsPerOrder,
      arrivalDay: arrival,
    });
    if (order) ctx.order?.(order);
    // One receipt per lot, at its own time of the arrival day.
    for (let n = 0; n < lotsPerOrder; n++)
      ctx.schedule(pair, arrival, { kind: 'RESTOCK', quantity: lot, reference });
  });
}
