import { expect } from 'chai';
import { hasValidSign, type EventType } from '../../../inventory/events/index.js';
import {
  ensureOpeningStock,
  generateMasterData,
  generateToPostgres,
  LOADED_TABLES,
  writeMasterData,
  type GenerateToPostgresOptions,
} from '../../../inventory/generator/index.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';

const OPTIONS: GenerateToPostgresOptions = {
  seed: 11,
  skus: 10,
  warehouses: 3,
  from: '2025-06-01T00:00:00Z',
  to: '2025-09-01T00:00:00Z',
};

/** A fingerprint of the whole ledger, independent of insertion order and ingestion time. */
async function ledgerDigest(db: TestDatabase): Promise<{ rows: number; digest: string }> {
  const { rows } = await db.knex.raw(`
    SELECT count(*)::int AS rows,
           md5(string_agg(concat_ws('|', event_id, sku, warehouse_id, event_type, quantity_change,
             extract(epoch FROM occurred_at), reference_id, notes), ',' ORDER BY event_id)) AS digest
    FROM inventory.inventory_transactions`);
  return rows[0];
}

/** Pairs whose level differs from the sums of their ledger. */
async function levelMismatches(db: TestDatabase): Promise<unknown[]> {
  const { rows } = await db.knex.raw(`
    WITH sums AS (
      SELECT sku, warehouse_id,
             sum(quantity_change) FILTER (WHERE event_type NOT IN ('RESERVATION', 'RESERVATION_RELEASE')) AS on_hand,
             coalesce(sum(quantity_change) FILTER (WHERE event_type IN ('RESERVATION', 'RESERVATION_RELEASE')), 0) AS reserved
      FROM inventory.inventory_transactions GROUP BY sku, warehouse_id)
    SELECT l.sku, l.warehouse_id, l.quantity_on_hand, s.on_hand, l.quantity_reserved, s.reserved
    FROM inventory.inventory_levels l FULL JOIN sums s USING (sku, warehouse_id)
    WHERE l.quantity_on_hand IS DISTINCT FROM s.on_hand OR l.quantity_reserved IS DISTINCT FROM s.reserved`);
  return rows;
}

describe('generator → PostgreSQL', function () {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => db?.drop());

  it('writes products, warehouses, a ledger and levels, reporting rows and rows/s', async () => {
    const summary = await generateToPostgres(db.knex, OPTIONS);
    expect(summary).to.include({ products: 10, warehouses: 3, pairs: 30, replaced: 0 });
    expect(summary.rows).to.be.greaterThan(3_000);
    expect(summary.rows_per_s).to.be.greaterThan(0);
    const { rows } = await db.knex.raw(`
      SELECT (SELECT count(*) FROM inventory.products)::int AS products,
             (SELECT count(*) FROM inventory.warehouses)::int AS warehouses,
             (SELECT count(*) FROM inventory.inventory_levels)::int AS levels,
             (SELECT count(*) FROM inventory.inventory_transactions)::int AS transactions`);
    expect(rows[0]).to.deep.equal({ products: 10, warehouses: 3, levels: 30, transactions: summary.rows });
  });

  it('leaves planner statistics on every table it filled, so the first runs and pages plan well', async () => {
    const filled: string[] = [];
    const analysed: string[] = [];
    for (const table of LOADED_TABLES) {
      const [schema, name] = table.split('.') as [string, string];
      const { rows } = await db.knex.raw(
        `SELECT EXISTS (SELECT 1 FROM ${table}) AS filled,
                EXISTS (SELECT 1 FROM pg_stats WHERE schemaname = ? AND tablename = ?) AS analysed`,
        [schema, name],
      );
      if (rows[0].filled) filled.push(table);
      if (rows[0].analysed) analysed.push(table);
    }
    expect(filled).to.include.members([
      'inventory.inventory_transactions',
      'inventory.orders',
      'inventory.shipments',
    ]);
    expect(analysed).to.deep.equal(filled);
  });

  it('keeps every level equal to the sum of its pair’s on-hand transactions and reservations', async () => {
    expect(await levelMismatches(db)).to.deep.equal([]);
  });

  it('never lets on-hand go negative nor reserved leave [0, on-hand], at any point of any pair’s ledger', async () => {
    const { rows } = await db.knex.raw(`
      WITH running AS (
        SELECT sku, warehouse_id, occurred_at, event_type,
          sum(CASE WHEN event_type IN ('RESERVATION', 'RESERVATION_RELEASE') THEN 0 ELSE quantity_change END)
            OVER w AS on_hand,
          sum(CASE WHEN event_type IN ('RESERVATION', 'RESERVATION_RELEASE') THEN quantity_change ELSE 0 END)
            OVER w AS reserved,
          row_number() OVER w AS n
        FROM inventory.inventory_transactions
        WINDOW w AS (PARTITION BY sku, warehouse_id ORDER BY occurred_at))
      SELECT * FROM running
      WHERE on_hand < 0 OR reserved < 0 OR reserved > on_hand OR (n = 1 AND event_type <> 'ADJUSTMENT')
      LIMIT 5`);
    expect(rows).to.deep.equal([]);
    const ties = await db.knex.raw(`
      SELECT sku, warehouse_id, occurred_at FROM inventory.inventory_transactions
      GROUP BY 1, 2, 3 HAVING count(*) > 1 LIMIT 1`);
    expect(ties.rows, 'two rows of a pair at the same instant make the order ambiguous').to.deep.equal([]);
  });

  it('stores only rows that satisfy the SPEC §3 sign rules', async () => {
    const { rows } = await db.knex.raw<{ rows: Array<{ event_type: EventType; quantity_change: number }> }>(
      'SELECT event_type, quantity_change FROM inventory.inventory_transactions',
    );
    expect(rows.filter((r) => !hasValidSign(r.event_type, r.quantity_change))).to.deep.equal([]);
  });

  it('replaces the history on a rerun with the same seed, leaving identical rows and no duplicates', async () => {
    const before = await ledgerDigest(db);
    const summary = await generateToPostgres(db.knex, OPTIONS);
    expect(summary.replaced).to.equal(before.rows);
    expect(await ledgerDigest(db)).to.deep.equal(before);
    expect(await levelMismatches(db)).to.deep.equal([]);
  });

  it('writes the very same ledger and levels over several connections at once', async () => {
    const before = await ledgerDigest(db);
    const levels = () =>
      db.knex
        .raw('SELECT * FROM inventory.inventory_levels ORDER BY sku, warehouse_id')
        .then((r) => r.rows.map(({ updated_at: _, ...level }: Record<string, unknown>) => level));
    const levelsBefore = await levels();
    const summary = await generateToPostgres(db.knex, { ...OPTIONS, connections: 3, batchSize: 500 });
    expect(summary.replaced).to.equal(before.rows);
    expect(summary.rows).to.equal(before.rows);
    expect(await ledgerDigest(db)).to.deep.equal(before);
    expect(await levels()).to.deep.equal(levelsBefore);
  });

  it('replaces it with different rows for another seed, and leaves pairs outside the generated set alone', async () => {
    const before = await ledgerDigest(db);
    const untouchedSkus = generateMasterData({ seed: 11, skus: 10 })
      .products.slice(6)
      .map((p) => p.sku);
    const untouchedDigest = (
      await db.knex.raw(
        `SELECT md5(string_agg(event_id::text, ',' ORDER BY event_id)) AS d
         FROM inventory.inventory_transactions WHERE sku = ANY(?)`,
        [untouchedSkus],
      )
    ).rows[0].d;
    expect(untouchedDigest).to.be.a('string');
    await generateToPostgres(db.knex, { ...OPTIONS, seed: 12, skus: 6 });
    const after = await ledgerDigest(db);
    expect(after.digest).to.not.equal(before.digest);
    expect(await levelMismatches(db)).to.deep.equal([]);
    // SKUs 7–10 of the first run were not part of this one: their ledger is as it was.
    const { rows } = await db.knex.raw(
      `SELECT md5(string_agg(event_id::text, ',' ORDER BY event_id)) AS d
       FROM inventory.inventory_transactions WHERE sku = ANY(?)`,
      [untouchedSkus],
    );
    expect(rows[0].d).to.equal(untouchedDigest);
  });

  it('upserts master data idempotently', async () => {
    const master = generateMasterData({ seed: 12, skus: 6, warehouses: 3 });
    const read = () =>
      db.knex.raw(`SELECT sku, name, updated_at FROM inventory.products ORDER BY sku`).then((r) => r.rows);
    await writeMasterData(db.knex, master);
    const first = await read();
    await writeMasterData(db.knex, master);
    expect(await read()).to.deep.equal(first);
  });

  it('opens stock for pairs without a level before live events, once', async () => {
    const master = generateMasterData({ seed: 12, skus: 12, warehouses: 3 });
    await writeMasterData(db.knex, master);
    const first = await ensureOpeningStock(db.knex, master, { seed: 12 });
    expect(first.opened).to.equal(2 * 3); // SKUs 11 and 12 are new to this database
    expect(first.levels).to.have.length(12 * 3);
    const second = await ensureOpeningStock(db.knex, master, { seed: 12 });
    expect(second.opened).to.equal(0);
    expect(second.levels).to.deep.equal(first.levels);
    expect(await levelMismatches(db)).to.deep.equal([]);
  });
});
