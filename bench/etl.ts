/**
 * `npm run bench -- etl [--rows N] [--pairs N] [--days N] [--keep]`  (--keep leaves the database in place)
 *
 * 1. Fills a database of its own (wareflow_bench_etl) with N transactions (default 10,000,000)
 *    over P SKU × warehouse pairs (default 50,000: P/10 SKUs × 10 warehouses) and the last D days
 *    (default 365), with SQL generate_series: skewed demand (a few pairs sell most), sales,
 *    restocks, returns, reservations and adjustments, an opening stock per pair, and levels equal
 *    to the ledger.
 * 2. Limit: the bare SQL that computes the 30-day daily sales matrix of every pair for day D.
 * 3. daily_etl_s: one daily_inventory_etl run for D = yesterday (UTC), its tasks executed by the
 *    engine's own runner, independent branches concurrently as a worker pool would.
 * 4. hourly_agg_s: one hourly_transaction_aggregation run for the last complete hour.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDagServices, dailyInventoryEtl, hourlyTransactionAggregation } from '../dags/index.js';
import { countDailySalesMatrix } from '../dags/daily_inventory_etl/store/index.js';
import { ensureDatabase, migrateLatest } from '../db/index.js';
import { runDagInProcess, type Dag, type TaskServices } from '../engine/index.js';
import { createKnex, createLogger, loadConfig, type Knex, type Logger } from '../platform/index.js';
import { printReport, result } from './report.js';

const WAREHOUSES = 10;
const log = (msg: string) => process.stderr.write(`[bench etl] ${msg}\n`);

async function timed<T>(what: string, fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  const seconds = (performance.now() - started) / 1000;
  log(`${what}: ${seconds.toFixed(2)} s`);
  return { seconds, value };
}

/** Transactions, master data and levels, all generated inside PostgreSQL. */
async function fill(knex: Knex, o: { rows: number; pairs: number; days: number; end: Date }) {
  const skus = Math.max(1, Math.ceil(o.pairs / WAREHOUSES));
  await knex.raw(`
    TRUNCATE inventory.inventory_transactions, inventory.inventory_levels, inventory.products,
             inventory.warehouses CASCADE;
    SELECT setseed(0.42);
    INSERT INTO inventory.warehouses (warehouse_id, name, zone, capacity)
    SELECT 'WH-' || lpad(w::text, 3, '0'), 'Warehouse ' || w, 'zone-' || (w % 4), 1000000
    FROM generate_series(1, ${WAREHOUSES}) w;
    INSERT INTO inventory.products (sku, name, category, unit_cost, unit_price, lead_time_days)
    SELECT 'SKU-' || lpad(s::text, 6, '0'), 'Product ' || s, 'cat-' || (s % 12),
           round((2 + random() * 200)::numeric, 2), 0, 1 + (s % 21)
    FROM generate_series(1, ${skus}) s;
    UPDATE inventory.products SET unit_price = round(unit_cost * 1.4, 2);`);
  // The indexes are rebuilt once after the load (on every monthly partition, and the event-id
  // registry's key): maintaining them row by row would dominate the fill time and tell nothing
  // about the ETL.
  await knex.raw(`
    DROP INDEX IF EXISTS inventory.inventory_transactions_pair_time_idx;
    DROP INDEX IF EXISTS inventory.inventory_transactions_occurred_idx;
    DROP INDEX IF EXISTS inventory.inventory_transactions_ingested_idx;
    ALTER TABLE inventory.inventory_transactions DROP CONSTRAINT IF EXISTS inventory_transactions_pkey;
    ALTER TABLE inventory.ledger_event_ids DROP CONSTRAINT IF EXISTS ledger_event_ids_pkey;`);
  const pairSql = (p: string) =>
    `('SKU-' || lpad((${p} / ${WAREHOUSES} + 1)::text, 6, '0'), 'WH-' || lpad((${p} % ${WAREHOUSES} + 1)::text, 3, '0'))`;
  const startSql = `(:end::timestamptz - make_interval(days => ${o.days}))`;
  // Opening stock a day before the window, then the generated flow.
  await knex.raw(
    `INSERT INTO inventory.inventory_transactions
       (event_id, sku, warehouse_id, event_type, quantity_change, occurred_at, reference_id, ingested_at)
     SELECT gen_random_uuid(), (${pairSql('p')}).f1, (${pairSql('p')}).f2, 'RESTOCK', 200 + (random() * 800)::int,
            ${startSql} - interval '1 day', 'OPEN-' || p, ${startSql} - interval '1 day'
     FROM generate_series(0, ${o.pairs - 1}) p`,
    { end: o.end },
  );
  // One chunk per time slice, each inserted in time order: like a real append-only ledger, the
  // rows of a day sit together on disk (a randomly ordered fill would make every window query
  // read the whole table).
  const slices = Math.max(12, Math.ceil(o.rows / 500_000));
  const perSlice = Math.ceil(o.rows / slices);
  for (let k = 0, done = 0; done < o.rows; k++, done += perSlice) {
    const n = Math.min(perSlice, o.rows - done);
    // Generated ids are valid by construction: skip the per-row foreign-key triggers.
    await knex.transaction(async (trx) => {
      await trx.raw('SET LOCAL session_replication_role = replica');
      await trx.raw('SET LOCAL synchronous_commit = off');
      await trx.raw(
        `INSERT INTO inventory.inventory_transactions
         (event_id, sku, warehouse_id, event_type, quantity_change, occurred_at, reference_id, ingested_at)
       SELECT gen_random_uuid(), (pair).f1, (pair).f2, kind,
              CASE kind WHEN 'SALE' THEN -(1 + (random() * 4)::int)
                        WHEN 'RESTOCK' THEN 20 + (random() * 180)::int
                        WHEN 'RETURN' THEN 1 + (random() * 2)::int
                        WHEN 'RESERVATION' THEN 1 + (random() * 5)::int
                        WHEN 'RESERVATION_RELEASE' THEN -1
                        ELSE CASE WHEN random() < 0.5 THEN -1 ELSE 1 END END,
              at, 'REF-' || i, at + make_interval(secs => random() * 30)
       FROM (
         SELECT i, ${pairSql(`least(${o.pairs - 1}, floor(${o.pairs} * power(random(), 2.5))::int)`)} AS pair,
                CASE WHEN r < 0.82 THEN 'SALE' WHEN r < 0.88 THEN 'RESTOCK' WHEN r < 0.91 THEN 'RETURN'
                     WHEN r < 0.95 THEN 'RESERVATION' WHEN r < 0.96 THEN 'RESERVATION_RELEASE'
                     ELSE 'ADJUSTMENT' END AS kind,
                ${startSql} + (${k} + random()) * make_interval(days => ${o.days}) / ${slices} AS at
         FROM (SELECT i, random() AS r FROM generate_series(${done + 1}, ${done + n}) i) g
       ) x
       ORDER BY at`,
        { end: o.end },
      );
    });
    log(`  ${(done + n).toLocaleString()} / ${o.rows.toLocaleString()} transactions`);
  }
  await knex.raw(`
    ALTER TABLE inventory.inventory_transactions
      ADD CONSTRAINT inventory_transactions_pkey PRIMARY KEY (event_id, occurred_at);
    ALTER TABLE inventory.ledger_event_ids ADD CONSTRAINT ledger_event_ids_pkey PRIMARY KEY (event_id);
    CREATE INDEX IF NOT EXISTS inventory_transactions_pair_time_idx ON inventory.inventory_transactions (sku, warehouse_id, occurred_at);
    CREATE INDEX IF NOT EXISTS inventory_transactions_occurred_idx ON inventory.inventory_transactions (occurred_at);
    CREATE INDEX IF NOT EXISTS inventory_transactions_ingested_idx
      ON inventory.inventory_transactions USING brin (ingested_at) WITH (pages_per_range = 32);
    INSERT INTO inventory.inventory_levels (sku, warehouse_id, quantity_on_hand, quantity_reserved, last_event_at)
    SELECT sku, warehouse_id,
           coalesce(sum(quantity_change) FILTER (WHERE event_type NOT IN ('RESERVATION','RESERVATION_RELEASE')), 0),
           coalesce(sum(quantity_change) FILTER (WHERE event_type IN ('RESERVATION','RESERVATION_RELEASE')), 0),
           max(occurred_at)
    FROM inventory.inventory_transactions GROUP BY sku, warehouse_id;`);
  // VACUUM cannot run inside the implicit transaction of a multi-statement query.
  await knex.raw('VACUUM ANALYZE inventory.inventory_transactions');
  await knex.raw('ANALYZE inventory.inventory_levels');
  await knex.raw('ANALYZE inventory.products');
}

/** Runs every task of one DAG run in this process; a failed task fails the benchmark. */
async function runDag(
  dag: Dag,
  env: { db: Knex; services: TaskServices; logger: Logger },
  interval: { start: Date; end: Date },
): Promise<void> {
  const result = await runDagInProcess(dag, env, interval, (taskId, r) =>
    log(`  ${taskId}: ${(r.durationMs / 1000).toFixed(2)} s ${r.ok ? JSON.stringify(r.output) : 'failed'}`),
  );
  const [failed, error] = Object.entries(result.failed)[0] ?? [];
  if (failed) throw new Error(`${dag.id}.${failed} failed: ${error!.message}`);
}

export interface EtlBenchOptions {
  rows: number;
  pairs: number;
  days: number;
  keep: boolean;
}

export async function run({ rows, pairs, days, keep }: EtlBenchOptions): Promise<void> {
  const base = loadConfig();
  const url = new URL(base.DATABASE_URL);
  url.pathname = '/wareflow_bench_etl';
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'wareflow-bench-etl-'));
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: url.toString(),
    DATA_DIR: dataDir,
    SMTP_URL: '',
    KAFKA_TOPIC_SUFFIX: '.bench-etl',
  });
  const logger = createLogger({ level: 'warn' });
  await ensureDatabase(config.DATABASE_URL, (u) => createKnex(u, { poolMax: 1 }));
  const knex = createKnex(config.DATABASE_URL, { poolMax: 8, applicationName: 'bench-etl' });
  const services = await createDagServices(config, logger);
  try {
    await migrateLatest(knex);
    const end = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    const day = new Date(end.getTime() - 86_400_000).toISOString().slice(0, 10);
    log(
      `filling ${rows.toLocaleString()} transactions over ${pairs.toLocaleString()} pairs and ${days} days`,
    );
    const filled = await timed('fill', () => fill(knex, { rows, pairs, days, end }));

    const limit = await timed(`limit: 30-day daily sales matrix for ${day}`, () =>
      countDailySalesMatrix(knex, day),
    );
    const env = { db: knex, services: { inventory: services }, logger };
    const daily = await timed(`daily_inventory_etl for ${day}`, () =>
      runDag(dailyInventoryEtl, env, {
        start: new Date(`${day}T02:00:00Z`),
        end: new Date(Date.parse(`${day}T02:00:00Z`) + 86_400_000),
      }),
    );
    const hourStart = new Date(end.getTime() - 3_600_000);
    const hourly = await timed(`hourly_transaction_aggregation for ${hourStart.toISOString()}`, () =>
      runDag(hourlyTransactionAggregation, env, { start: hourStart, end }),
    );
    printReport(
      'etl',
      [
        result('daily_etl_s', daily.seconds, 's', limit.seconds),
        result('hourly_agg_s', hourly.seconds, 's', limit.seconds),
      ],
      [
        `${rows.toLocaleString()} transactions, ${pairs.toLocaleString()} pairs, ${days} days; fill took ${filled.seconds.toFixed(1)} s`,
        `limit = bare 30-day daily sales matrix (${limit.value.toLocaleString()} cells) for ${day}`,
        'daily ETL = snapshots, processed_metrics, roll-up, Parquet archive, Redis cache, data-quality gate',
      ],
    );
  } finally {
    await services.close();
    await knex.destroy();
    await rm(dataDir, { recursive: true, force: true });
    if (!keep) {
      const admin = createKnex(new URL('/postgres', config.DATABASE_URL).toString(), { poolMax: 1 });
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [url.pathname.slice(1)]);
      await admin.destroy();
    }
  }
}
