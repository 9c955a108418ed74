/**
 * History for `npm run bench -- growth`, generated inside PostgreSQL one month at a time, the way
 * a bulk load of a partitioned table goes: the month's rows into a table of their own (in time
 * order, set-based with generate_series), its indexes built once, then ATTACHed as the month's
 * partition of the ledger. Alongside: the month's event ids in the registry, purchase orders for
 * its restocks (received by them), a few anomalies, hourly stream windows of 100 pairs, daily
 * snapshots and processed metrics of every pair, and the levels moved by the month's sums.
 */
import { addMonths, monthBounds, partitionName } from '../inventory/partitions/index.js';
import type { Knex } from '../platform/index.js';

export const WAREHOUSES = 10;

export interface FillShape {
  pairs: number;
  rowsPerMonth: number;
  /** Rows stop here: the bench's "now". */
  end: Date;
}

/** SKU and warehouse of pair number `p` (0-based): SKU-0001…, WH-01…WH-10. */
const skuOf = (p: string) => `'SKU-' || lpad((${p} / ${WAREHOUSES} + 1)::text, 4, '0')`;
const whOf = (p: string) => `'WH-' || lpad((${p} % ${WAREHOUSES} + 1)::text, 2, '0')`;

/** Products, warehouses, and an empty level per pair. */
export async function fillMasterData(knex: Knex, pairs: number): Promise<void> {
  const skus = Math.ceil(pairs / WAREHOUSES);
  await knex.raw(`
    INSERT INTO inventory.warehouses (warehouse_id, name, zone, capacity, weekend_operation)
    SELECT 'WH-' || lpad(w::text, 2, '0'), 'Warehouse ' || w, 'zone-' || (w % 4), 1000000, true
      FROM generate_series(1, ${WAREHOUSES}) w;
    INSERT INTO inventory.products (sku, name, category, unit_cost, unit_price, lead_time_days)
    SELECT 'SKU-' || lpad(s::text, 4, '0'), 'Product ' || s, 'cat-' || (s % 12), 5 + s % 50, 8 + s % 70, 3 + s % 12
      FROM generate_series(1, ${skus}) s;
    INSERT INTO inventory.inventory_levels (sku, warehouse_id, quantity_on_hand, quantity_reserved)
    SELECT ${skuOf('p')}, ${whOf('p')}, 0, 0 FROM generate_series(0, ${pairs - 1}) p;`);
}

/**
 * UUIDv7 of the event's time (48-bit Unix milliseconds, version 7, RFC variant, 74 random bits):
 * time-ordered ids, so the registry's and the key's B-trees grow at their right edge.
 */
const uuidV7 = (at: string) => `(lpad(to_hex((extract(epoch FROM ${at}) * 1000)::bigint), 12, '0') || '7'
  || substr(r, 1, 3) || substr('89ab', 1 + (i % 4)::int, 1) || substr(r, 4, 15))::uuid`;

/** The indexes of a ledger partition, as the partitioned table declares them (ATTACH adopts them). */
const LEDGER_INDEXES = (t: string) => `
  ALTER TABLE ${t} ADD PRIMARY KEY (event_id, occurred_at);
  CREATE INDEX ON ${t} (sku, warehouse_id, occurred_at);
  CREATE INDEX ON ${t} (occurred_at);
  CREATE INDEX ON ${t} USING brin (ingested_at) WITH (pages_per_range = 32);
  CREATE INDEX ON ${t} (sku, warehouse_id, reference_id) WHERE event_type IN ('RESTOCK', 'TRANSFER_IN');`;

/**
 * Drops the (empty) partitions the migration made for `months`, so that loaded tables take their
 * place; one at a time, before months load side by side (DETACH locks the whole ledger).
 */
export async function clearMonths(knex: Knex, months: readonly string[]): Promise<void> {
  for (const month of months) {
    const stage = `inventory.${partitionName('inventory_transactions', month)}`;
    const { rows } = await knex.raw('SELECT to_regclass(?) IS NOT NULL AS found', [stage]);
    if (!rows[0].found) continue;
    await knex.raw(`ALTER TABLE inventory.inventory_transactions DETACH PARTITION ${stage}`);
    await knex.raw(`DROP TABLE ${stage}`);
  }
}

/**
 * One month of history (its part before `shape.end`), loaded and attached as the ledger's
 * partition of that month (see clearMonths), with everything that goes with it. Returns the
 * ledger rows written.
 */
export async function fillMonth(knex: Knex, month: string, shape: FillShape): Promise<number> {
  const { from, to } = monthBounds(month);
  const start = Date.parse(from.replace(' ', 'T').replace('+00', 'Z'));
  const stop = Math.min(Date.parse(to.replace(' ', 'T').replace('+00', 'Z')), shape.end.getTime());
  if (stop <= start) return 0;
  const monthMs = Date.parse(`${addMonths(month, 1)}T00:00:00Z`) - start;
  const n = Math.round((shape.rowsPerMonth * (stop - start)) / monthMs);
  const name = partitionName('inventory_transactions', month);
  const stage = `inventory.${name}`;
  const ledger = 'inventory.inventory_transactions';
  const settings = async (trx: Knex.Transaction) => {
    await trx.raw('SET LOCAL synchronous_commit = off');
    await trx.raw(`SET LOCAL work_mem = '256MB'`);
    await trx.raw(`SET LOCAL maintenance_work_mem = '512MB'`);
  };
  // Three transactions, so that two months load side by side: only the short ATTACH takes a lock
  // on the ledger that another month's would wait for.
  await knex.transaction(async (trx) => {
    await settings(trx);
    await trx.raw(`CREATE TABLE ${stage} (LIKE ${ledger} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    await trx.raw(
      `INSERT INTO ${stage} (event_id, sku, warehouse_id, event_type, quantity_change, occurred_at, reference_id,
                             ingested_at)
       SELECT ${uuidV7('at')}, ${skuOf('p')}, ${whOf('p')}, kind,
              CASE kind WHEN 'SALE' THEN -1 - (i % 5) WHEN 'RESTOCK' THEN 300 + (i % 401)
                        WHEN 'RETURN' THEN 1 + (i % 2) WHEN 'RESERVATION' THEN 1 + (i % 5)
                        WHEN 'RESERVATION_RELEASE' THEN -1 - (i % 5) WHEN 'TRANSFER_OUT' THEN -1 - (i % 10)
                        WHEN 'TRANSFER_IN' THEN 1 + (i % 10) ELSE CASE WHEN i % 2 = 0 THEN -1 ELSE 1 END END,
              at, CASE WHEN kind IN ('RESTOCK', 'TRANSFER_IN') THEN 'PO-${month.slice(0, 7)}-' || i END,
              at + interval '2 seconds'
         FROM (
           SELECT i, ?::timestamptz + (i + random()) * (?::float8 / ?) * interval '1 millisecond' AS at,
                  least(${shape.pairs - 1}, floor(${shape.pairs} * power(random(), 2))::int) AS p,
                  md5(random()::text) AS r,
                  CASE WHEN u < 0.80 THEN 'SALE' WHEN u < 0.805 THEN 'RESTOCK' WHEN u < 0.84 THEN 'RETURN'
                       WHEN u < 0.90 THEN 'RESERVATION' WHEN u < 0.95 THEN 'RESERVATION_RELEASE'
                       WHEN u < 0.97 THEN 'TRANSFER_OUT' WHEN u < 0.98 THEN 'TRANSFER_IN' ELSE 'ADJUSTMENT' END AS kind
             FROM (SELECT i, random() AS u FROM generate_series(0, ${n - 1}) i) g
         ) x`,
      [new Date(start), stop - start, n],
    );
    await trx.raw(LEDGER_INDEXES(stage));
    // The bounds as a constraint first, so ATTACH need not scan the month to prove them.
    await trx.raw(
      `ALTER TABLE ${stage} ADD CONSTRAINT ${name}_bounds CHECK (occurred_at >= '${from}' AND occurred_at < '${to}')`,
    );
  });
  await knex.transaction(async (trx) => {
    await trx.raw(`ALTER TABLE ${ledger} ATTACH PARTITION ${stage} FOR VALUES FROM ('${from}') TO ('${to}')`);
    await trx.raw(`ALTER TABLE ${stage} DROP CONSTRAINT ${name}_bounds`);
  });
  return knex.transaction(async (trx) => {
    await settings(trx);
    await trx.raw(`INSERT INTO inventory.ledger_event_ids SELECT event_id, occurred_at FROM ${stage}`);
    await trx.raw(
      `INSERT INTO inventory.purchase_orders (kind, reference_id, sku, warehouse_id, quantity, ordered_at, expected_at)
       SELECT 'purchase', t.reference_id, t.sku, t.warehouse_id, t.quantity_change,
              t.occurred_at - make_interval(days => p.lead_time_days), t.occurred_at
         FROM ${stage} t JOIN inventory.products p USING (sku)
        WHERE t.event_type = 'RESTOCK'`,
    );
    await trx.raw(
      `INSERT INTO analytics.anomalies (event_id, sku, warehouse_id, anomaly_type, severity, risk_score, occurred_at,
                                        detected_at)
       SELECT event_id, sku, warehouse_id,
              (ARRAY['VOLUME_ZSCORE','VOLUME_IQR','AFTER_HOURS','HIGH_VALUE','RAPID_DEPLETION'])[1 + abs(hashtext(event_id::text)) % 5],
              'low', 0.3, occurred_at, occurred_at + interval '1 second'
         FROM ${stage} WHERE abs(hashtext(event_id::text)) % 2000 = 0`,
    );
    await trx.raw(
      `INSERT INTO analytics.stream_windows (window_kind, window_start, window_end, sku, warehouse_id, event_count,
                                             units_in, units_out, mean_change, min_change, max_change, closed_at)
       SELECT 'tumbling_1h', h, h + interval '1 hour', sku, warehouse_id, count(*),
              coalesce(sum(quantity_change) FILTER (WHERE quantity_change > 0), 0),
              coalesce(-sum(quantity_change) FILTER (WHERE quantity_change < 0), 0),
              avg(quantity_change), min(quantity_change), max(quantity_change), h + interval '62 minutes'
         FROM (SELECT date_trunc('hour', occurred_at) AS h, * FROM ${stage} WHERE sku <= 'SKU-0010') t
        GROUP BY h, sku, warehouse_id`,
    );
    await fillDailyHistory(trx, month, shape);
    // Every month moves every pair's level: one month at a time, or two would lock the same
    // rows in different orders.
    await trx.raw("SELECT pg_advisory_xact_lock(hashtext('bench-growth-levels'))");
    await trx.raw(
      `UPDATE inventory.inventory_levels l
          SET quantity_on_hand = l.quantity_on_hand + s.on_hand, quantity_reserved = l.quantity_reserved + s.reserved,
              last_event_at = greatest(l.last_event_at, s.last_at)
         FROM (SELECT sku, warehouse_id,
                      coalesce(sum(quantity_change) FILTER (WHERE event_type NOT IN ('RESERVATION','RESERVATION_RELEASE')), 0) AS on_hand,
                      coalesce(sum(quantity_change) FILTER (WHERE event_type IN ('RESERVATION','RESERVATION_RELEASE')), 0) AS reserved,
                      max(occurred_at) AS last_at
                 FROM ${stage} GROUP BY sku, warehouse_id) s
        WHERE l.sku = s.sku AND l.warehouse_id = s.warehouse_id`,
    );
    return n;
  });
}

/**
 * Daily snapshots and processed metrics of every pair for the month's days before the day the
 * bench's ETL computes (yesterday): plausible figures, the row counts a warehouse accumulates.
 */
async function fillDailyHistory(trx: Knex.Transaction, month: string, shape: FillShape): Promise<void> {
  const lastDay = new Date(shape.end.getTime() - 2 * 86_400_000).toISOString().slice(0, 10);
  const days = `generate_series(?::date, least(?::date, (?::date + interval '1 month' - interval '1 day')::date), interval '1 day')`;
  const bindings = [month, lastDay, month];
  await trx.raw(
    `INSERT INTO analytics.daily_inventory_snapshots (snapshot_date, sku, warehouse_id, quantity_on_hand,
       quantity_reserved, quantity_available, units_in, units_out, transaction_count, inventory_value)
     SELECT d::date, l.sku, l.warehouse_id, 200 + h % 300, h % 20, 200 + h % 300 - h % 20, h % 40, h % 50, h % 90,
            (200 + h % 300) * 10
       FROM ${days} d CROSS JOIN inventory.inventory_levels l
       CROSS JOIN LATERAL (SELECT abs(hashtext(l.sku || l.warehouse_id || d::text)) AS h) x`,
    bindings,
  );
  await trx.raw(
    `INSERT INTO analytics.processed_metrics (sku, warehouse_id, as_of_date, quantity_on_hand, quantity_reserved,
       velocity_7d, velocity_30d, volatility, trend, seasonality_index, expected_daily_demand, stockout_risk,
       days_of_cover, safety_stock, reorder_point, reorder_quantity, quantity_on_order, stockout_probability)
     SELECT l.sku, l.warehouse_id, d::date, 200 + h % 300, h % 20, v, v, v / 3, 0, 1, v, (h % 100) / 100.0,
            (200 + h % 300) / greatest(v, 0.1), v, 7 * v, (h % 70), 0, (h % 100) / 200.0
       FROM ${days} d CROSS JOIN inventory.inventory_levels l
       CROSS JOIN LATERAL (SELECT abs(hashtext(l.sku || l.warehouse_id || d::text)) AS h) x
       CROSS JOIN LATERAL (SELECT (x.h % 400) / 10.0 AS v) y`,
    bindings,
  );
}

/**
 * The state the previous nights left: purchase orders received by their receipts, a few open ones
 * (ordered in the last days, due after now), the ledger totals summed again up to where the
 * maintenance DAG keeps them (months were attached below them, bypassing the triggers), and the
 * tables vacuumed and analysed.
 */
export async function settleHistory(
  knex: Knex,
  o: { end: Date; pairs: number },
  steps: { settle: () => Promise<unknown>; advanceTotals: () => Promise<unknown> },
): Promise<void> {
  await knex.raw(
    `INSERT INTO inventory.purchase_orders (kind, reference_id, sku, warehouse_id, quantity, ordered_at, expected_at)
     SELECT 'purchase', 'PO-OPEN-' || p, ${skuOf('p')}, ${whOf('p')}, 400,
            ?::timestamptz - make_interval(days => 1 + p % 5), ?::timestamptz + make_interval(days => 1 + p % 7)
       FROM generate_series(0, ${o.pairs - 1}, 5) p
      WHERE NOT EXISTS (SELECT 1 FROM inventory.purchase_orders WHERE reference_id = 'PO-OPEN-0')`,
    [o.end, o.end],
  );
  await steps.settle();
  await knex.raw(
    `TRUNCATE inventory.ledger_totals; UPDATE inventory.ledger_totals_until SET until = '-infinity'`,
  );
  await steps.advanceTotals();
  // What autovacuum would have done by the next night: hint bits set, visibility maps and planner
  // statistics current. Measuring while it still works through the new months would time it.
  await knex.raw('VACUUM (ANALYZE)');
}
