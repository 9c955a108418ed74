import type { Knex } from '../../../platform/index.js';
import { RESERVATION_TYPES_SQL, utcDate } from '../../analytics/index.js';

/** One pair-day of the stock-out backtest: the risk the daily ETL stored, and what followed. */
export interface StockoutCase {
  sku: string;
  warehouse_id: string;
  /** The metrics' as_of_date D, YYYY-MM-DD. */
  day: string;
  lead_time_days: number;
  /** `processed_metrics.stockout_risk` of D (SPEC §5). */
  predicted: number;
  /** `processed_metrics.stockout_probability` of D; null on rows computed before it existed. */
  probability: number | null;
  /** The model's inputs at the end of D, for fitting its calibration. */
  on_hand: number;
  reserved: number;
  /** Units on order at the end of D; null like `probability`. */
  on_order: number | null;
  /** Days from the end of D to the earliest expected open order; null with nothing on order. */
  receipt_days: number | null;
  expected_daily_demand: number;
  volatility: number;
  /** The demand over the lead time the row was planned on (its day's forecast); null on older rows. */
  lead_time_demand_mean: number | null;
  lead_time_demand_sigma: number | null;
  /** Available (on-hand − reserved) fell to ≤ 0 at some instant within (D, D + lead time]. */
  outcome: boolean;
}

/**
 * The cases of the SPEC §5 stock-out backtest, in one statement: every pair-day D of
 * `analytics.processed_metrics` with available > 0 at the end of D (a pair already out is an
 * outage, not a forecast) whose horizon, the whole UTC days D+1 … D+L, lies inside the ledger
 * (it ends no later than the newest transaction). The outcome is read from the ledger itself,
 * not from labels, so it holds for any warehouse: available after each transaction is today's
 * level minus the changes after it (reservations move `quantity_reserved`, SPEC §3), and the
 * pair ran out when that reached ≤ 0 after some transaction inside the horizon. Transactions at
 * the same instant are applied in event_id order.
 */
export async function stockoutCases(knex: Knex): Promise<StockoutCase[]> {
  const { rows } = await knex.raw(
    `
    WITH data_end AS (
      SELECT max(occurred_at) AS at FROM inventory.inventory_transactions
    ), pair_days AS (
      SELECT m.sku, m.warehouse_id, m.as_of_date, m.stockout_risk, m.stockout_probability,
             m.quantity_on_hand, m.quantity_reserved, m.quantity_on_order, m.expected_daily_demand,
             extract(epoch FROM m.next_receipt_at - (m.as_of_date + 1)::timestamp AT TIME ZONE 'UTC') / 86400 AS receipt_days,
             m.volatility, m.lead_time_demand_mean, m.lead_time_demand_sigma, p.lead_time_days
      FROM analytics.processed_metrics m
      JOIN inventory.products p ON p.sku = m.sku
      CROSS JOIN data_end e
      WHERE m.quantity_on_hand - m.quantity_reserved > 0
        AND ((m.as_of_date + p.lead_time_days + 1)::timestamp AT TIME ZONE 'UTC') <= e.at
    ), running AS (
      SELECT t.sku, t.warehouse_id, t.occurred_at,
             (l.quantity_on_hand - l.quantity_reserved) - coalesce(sum(
               CASE WHEN t.event_type IN ${RESERVATION_TYPES_SQL} THEN -t.quantity_change ELSE t.quantity_change END
             ) OVER (PARTITION BY t.sku, t.warehouse_id ORDER BY t.occurred_at DESC, t.event_id DESC
                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS available_after
      FROM inventory.inventory_transactions t
      JOIN inventory.inventory_levels l ON l.sku = t.sku AND l.warehouse_id = t.warehouse_id
      WHERE t.occurred_at >= (SELECT (min(as_of_date) + 1)::timestamp AT TIME ZONE 'UTC' FROM pair_days)
    ), out_days AS MATERIALIZED (
      -- Materialized: inlined, the correlated EXISTS below recomputes the running window of the
      -- pair's whole ledger for every pair-day (minutes on a year of 150 pairs instead of seconds).
      SELECT sku, warehouse_id, ${utcDate('occurred_at')} AS day
      FROM running WHERE available_after <= 0
      GROUP BY 1, 2, 3
    )
    SELECT d.sku, d.warehouse_id, to_char(d.as_of_date, 'YYYY-MM-DD') AS day,
           d.lead_time_days::int AS lead_time_days, d.stockout_risk::float8 AS predicted,
           d.stockout_probability::float8 AS probability, d.quantity_on_hand AS on_hand,
           d.quantity_reserved AS reserved, d.quantity_on_order AS on_order,
           d.receipt_days::float8 AS receipt_days,
           d.expected_daily_demand::float8 AS expected_daily_demand, d.volatility::float8 AS volatility,
           d.lead_time_demand_mean::float8 AS lead_time_demand_mean,
           d.lead_time_demand_sigma::float8 AS lead_time_demand_sigma,
           EXISTS (SELECT 1 FROM out_days o
                   WHERE o.sku = d.sku AND o.warehouse_id = d.warehouse_id
                     AND o.day > d.as_of_date AND o.day <= d.as_of_date + d.lead_time_days) AS outcome
    FROM pair_days d
    ORDER BY d.as_of_date, d.sku, d.warehouse_id
    `,
  );
  return rows;
}
