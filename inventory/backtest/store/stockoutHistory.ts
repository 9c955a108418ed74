import type { Knex } from '../../../platform/index.js';
import { RESERVATION_TYPES_SQL } from '../../analytics/index.js';

const DAY_MS = 86_400_000;
const ms = (d: Date | string) => new Date(d).getTime();
const dayNumber = (d: Date | string) => Math.floor(ms(d) / DAY_MS);

/** A ledger row as the stock checks replay it: its change to on-hand and to reserved. */
export interface ReplayEvent {
  at: number;
  onHand: number;
  reserved: number;
  /** RESTOCK / TRANSFER_IN: the order it receives (reference), else null. */
  receipt: string | null;
  /** The opening stock count: loaded before the stream, never a check of its own. */
  opening: boolean;
}

export interface ReplayOrder {
  reference: string;
  quantity: number;
  orderedAt: number;
  expectedAt: number;
  cancelledAt: number | null;
}

/** A stored demand over the lead time: a forecast (lead_time_demand) or a processed-metrics row. */
export interface ReplayDemand {
  /** UTC day number it was made for (as_of_date). */
  day: number;
  leadTimeDays: number;
  mean: number;
  sigma: number;
  /** Days of sales the forecast behind it was trained on (0: no forecast). */
  trainingDays: number;
  /** processed_metrics rows only. */
  reorderPoint?: number;
}

/** Everything the stock checks of one pair need, from the warehouse as the eval left it. */
export interface PairStockHistory {
  sku: string;
  warehouse_id: string;
  leadTimeDays: number;
  events: ReplayEvent[];
  orders: ReplayOrder[];
  /** Stored forecasts, by day ascending. */
  forecasts: ReplayDemand[];
  /** processed_metrics rows (with the demand they were planned on), by day ascending. */
  metrics: ReplayDemand[];
  /** Stored-level moves without a ledger row (the eval's lost rows): at, change. */
  shifts: Array<{ at: number; change: number }>;
}

/**
 * The stock history of every pair, in five statements: the ledger (in the order the stream
 * applied it), the open-order feed, the stored forecasts, the processed metrics with the demand
 * they were planned on (rows from before migration 0013 are left out), and the level moves of the
 * eval's DQ_ON_HAND_MISMATCH labels. For `wareflow eval stockout --thresholds` on an eval data set.
 */
export async function readStockHistory(knex: Knex): Promise<PairStockHistory[]> {
  const pairs = new Map<string, PairStockHistory>();
  const { rows: levels } = await knex.raw(
    `SELECT l.sku, l.warehouse_id, p.lead_time_days FROM inventory.inventory_levels l
     JOIN inventory.products p USING (sku) ORDER BY 1, 2`,
  );
  for (const r of levels)
    pairs.set(`${r.sku}\u0000${r.warehouse_id}`, {
      sku: r.sku,
      warehouse_id: r.warehouse_id,
      leadTimeDays: r.lead_time_days,
      events: [],
      orders: [],
      forecasts: [],
      metrics: [],
      shifts: [],
    });
  const pair = (r: { sku: string; warehouse_id: string }) => pairs.get(`${r.sku}\u0000${r.warehouse_id}`);

  const { rows: events } = await knex.raw(
    `SELECT sku, warehouse_id, occurred_at, quantity_change, event_type IN ${RESERVATION_TYPES_SQL} AS reservation,
            CASE WHEN event_type IN ('RESTOCK', 'TRANSFER_IN') THEN reference_id END AS receipt,
            reference_id = 'STOCKTAKE-OPENING' AS opening
     FROM inventory.inventory_transactions ORDER BY sku, warehouse_id, occurred_at, event_id`,
  );
  for (const r of events)
    pair(r)?.events.push({
      at: ms(r.occurred_at),
      onHand: r.reservation ? 0 : r.quantity_change,
      reserved: r.reservation ? r.quantity_change : 0,
      receipt: r.receipt,
      opening: r.opening,
    });

  const { rows: orders } = await knex.raw(
    `SELECT sku, warehouse_id, reference_id, quantity, ordered_at, expected_at, cancelled_at
     FROM inventory.purchase_orders ORDER BY ordered_at, order_id`,
  );
  for (const r of orders)
    pair(r)?.orders.push({
      reference: r.reference_id,
      quantity: r.quantity,
      orderedAt: ms(r.ordered_at),
      expectedAt: ms(r.expected_at),
      cancelledAt: r.cancelled_at === null ? null : ms(r.cancelled_at),
    });

  const { rows: forecasts } = await knex.raw(
    `SELECT sku, warehouse_id, as_of_date::text AS day, lead_time_days, mean, sigma, training_days
     FROM analytics.lead_time_demand ORDER BY as_of_date`,
  );
  for (const r of forecasts)
    pair(r)?.forecasts.push({
      day: dayNumber(r.day),
      leadTimeDays: r.lead_time_days,
      mean: r.mean,
      sigma: r.sigma,
      trainingDays: r.training_days,
    });

  const { rows: metrics } = await knex.raw(
    `SELECT m.sku, m.warehouse_id, m.as_of_date::text AS day, p.lead_time_days, m.lead_time_demand_mean AS mean,
            m.lead_time_demand_sigma AS sigma, m.reorder_point, coalesce(f.training_days, 0) AS training_days
     FROM analytics.processed_metrics m JOIN inventory.products p USING (sku)
     LEFT JOIN analytics.lead_time_demand f USING (sku, warehouse_id, as_of_date)
     WHERE m.lead_time_demand_mean IS NOT NULL ORDER BY m.as_of_date`,
  );
  for (const r of metrics)
    pair(r)?.metrics.push({
      day: dayNumber(r.day),
      leadTimeDays: r.lead_time_days,
      mean: r.mean,
      sigma: r.sigma,
      trainingDays: r.training_days,
      reorderPoint: r.reorder_point,
    });

  const { rows: shifts } = await knex.raw(
    `SELECT sku, warehouse_id, started_at, (detail->>'missing_change')::int AS change
     FROM inventory.incident_labels WHERE incident_type = 'DQ_ON_HAND_MISMATCH' AND sku IS NOT NULL
     ORDER BY started_at`,
  );
  for (const r of shifts) pair(r)?.shifts.push({ at: ms(r.started_at), change: r.change });
  return [...pairs.values()];
}
