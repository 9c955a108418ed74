import type { Knex } from 'knex';

/**
 * The tables that grow with time become range-partitioned by UTC month (docs in db/README.md,
 * "Partitioned tables"):
 * - `inventory.inventory_transactions` by `occurred_at`,
 * - `analytics.anomalies` by `occurred_at`,
 * - `analytics.stream_windows` by `window_start`.
 * Each gets monthly partitions `<table>_pYYYYMM` and a DEFAULT partition `<table>_default`, the
 * safety net for a row of a month that has no partition yet (the maintenance DAG moves such rows
 * into their month's partition when it creates it).
 *
 * A primary key of a partitioned table must contain the partition key, so the ledger's becomes
 * (event_id, occurred_at): a redelivered event (same id, same time) still lands on its stored row.
 * An id reused with another time would not, so the event-id uniqueness the stream's
 * effectively-once needs moves to `inventory.ledger_event_ids` (event_id PRIMARY KEY,
 * occurred_at): statement-level triggers keep it equal to the ledger's (event_id, occurred_at)
 * pairs on INSERT, UPDATE, DELETE and TRUNCATE, so every writer (the stream's COPY, its
 * row-by-row insert, the generator, a psql session) is held to one event id, once. They fire even
 * under `session_replication_role = replica` (ENABLE ALWAYS), which the bulk loaders use to skip
 * foreign-key checks. A retention drop (DETACH + DROP) fires no trigger: it deletes the month's
 * ids itself, through the BRIN index on occurred_at.
 *
 * Purchase orders get `received_at` (when the receipts of the order reached its quantity, set by
 * `settleReceivedOrders` in inventory/analytics) and `closed_at` = the earlier of it and
 * `cancelled_at`: what is on order at T needs only the orders not closed before T, found through
 * `purchase_orders_closed_idx`, instead of every order ever placed; and it stays exact once the
 * receipts of an old order are archived and dropped with their month.
 *
 * On a populated database the rows move with INSERT … SELECT in this migration's transaction
 * (partitions are created for every month that holds rows, the 13 months before the current one
 * and the 3 after it), in time order, before the indexes are built. Nothing else changes: same
 * columns in the same order, same checks and foreign keys, same names.
 */
const LEDGER_COLUMNS = `
  event_id        uuid NOT NULL,
  sku             text NOT NULL REFERENCES inventory.products (sku),
  warehouse_id    text NOT NULL REFERENCES inventory.warehouses (warehouse_id),
  event_type      text NOT NULL CHECK (event_type IN ('SALE','RESTOCK','RETURN','ADJUSTMENT','TRANSFER_IN',
                    'TRANSFER_OUT','RESERVATION','RESERVATION_RELEASE','INVENTORY_UPDATE')),
  quantity_change integer NOT NULL CHECK (quantity_change <> 0 AND abs(quantity_change) <= 1000000),
  occurred_at     timestamptz NOT NULL,
  reference_id    text,
  notes           text,
  ingested_at     timestamptz NOT NULL DEFAULT now(),
  source_partition smallint,
  CONSTRAINT inventory_transactions_sign_check CHECK (CASE
    WHEN event_type IN ('SALE','TRANSFER_OUT','RESERVATION_RELEASE') THEN quantity_change < 0
    WHEN event_type IN ('RESTOCK','RETURN','TRANSFER_IN','RESERVATION') THEN quantity_change > 0
    ELSE true END)`;

const ANOMALY_COLUMNS = `
  id            bigint NOT NULL DEFAULT nextval('analytics.anomalies_id_seq'),
  event_id      uuid NOT NULL,
  sku           text NOT NULL,
  warehouse_id  text NOT NULL,
  anomaly_type  text NOT NULL CHECK (anomaly_type IN ('VOLUME_ZSCORE','VOLUME_IQR','AFTER_HOURS','WEEKEND_ACTIVITY',
                  'NEGATIVE_STOCK','HIGH_VALUE','RAPID_DEPLETION','FREQUENCY_SPIKE')),
  severity      text NOT NULL CHECK (severity IN ('low','medium','high','critical')),
  risk_score    double precision NOT NULL CHECK (risk_score BETWEEN 0 AND 1),
  details       jsonb NOT NULL DEFAULT '{}',
  occurred_at   timestamptz NOT NULL,
  detected_at   timestamptz NOT NULL DEFAULT now(),
  anomaly_id    uuid NOT NULL DEFAULT gen_random_uuid()`;

const WINDOW_COLUMNS = `
  window_kind   text NOT NULL CHECK (window_kind IN ('tumbling_1m','tumbling_5m','tumbling_15m','tumbling_1h','sliding_5m_1m')),
  window_start  timestamptz NOT NULL,
  window_end    timestamptz NOT NULL CHECK (window_end > window_start),
  sku           text NOT NULL,
  warehouse_id  text NOT NULL,
  event_count   integer NOT NULL CHECK (event_count >= 0),
  units_in      integer NOT NULL CHECK (units_in >= 0),
  units_out     integer NOT NULL CHECK (units_out >= 0),
  mean_change   double precision,
  min_change    integer,
  max_change    integer,
  p50_change    double precision,
  p95_change    double precision,
  late_events   integer NOT NULL DEFAULT 0 CHECK (late_events >= 0),
  closed_at     timestamptz NOT NULL DEFAULT now()`;

interface Partitioned {
  schema: string;
  table: string;
  column: string;
  columns: string;
  /** Constraints and indexes, created after the rows are in. */
  keys: string;
}

const TABLES: Partitioned[] = [
  {
    schema: 'inventory',
    table: 'inventory_transactions',
    column: 'occurred_at',
    columns: LEDGER_COLUMNS,
    keys: `
      ALTER TABLE inventory.inventory_transactions
        ADD CONSTRAINT inventory_transactions_pkey PRIMARY KEY (event_id, occurred_at);
      CREATE INDEX inventory_transactions_pair_time_idx
        ON inventory.inventory_transactions (sku, warehouse_id, occurred_at);
      CREATE INDEX inventory_transactions_occurred_idx ON inventory.inventory_transactions (occurred_at);
      CREATE INDEX inventory_transactions_ingested_idx
        ON inventory.inventory_transactions USING brin (ingested_at) WITH (pages_per_range = 32);
      CREATE INDEX inventory_transactions_receipt_idx
        ON inventory.inventory_transactions (sku, warehouse_id, reference_id)
        WHERE event_type IN ('RESTOCK', 'TRANSFER_IN');`,
  },
  {
    schema: 'analytics',
    table: 'anomalies',
    column: 'occurred_at',
    columns: ANOMALY_COLUMNS,
    keys: `
      ALTER TABLE analytics.anomalies ADD CONSTRAINT anomalies_pkey PRIMARY KEY (anomaly_id, occurred_at);
      CREATE INDEX anomalies_pair_time_idx ON analytics.anomalies (sku, warehouse_id, occurred_at);
      CREATE INDEX anomalies_detected_idx ON analytics.anomalies (detected_at);`,
  },
  {
    schema: 'analytics',
    table: 'stream_windows',
    column: 'window_start',
    columns: WINDOW_COLUMNS,
    keys: `
      ALTER TABLE analytics.stream_windows
        ADD CONSTRAINT stream_windows_pkey PRIMARY KEY (window_kind, window_start, sku, warehouse_id);
      CREATE INDEX stream_windows_end_idx ON analytics.stream_windows (window_end);`,
  },
];

const OLD = (t: Partitioned) => `${t.schema}.${t.table}_unpartitioned`;

/** The first day (UTC) of every month to create: months with rows, and 13 back to 3 ahead of now. */
async function monthsOf(knex: Knex, t: Partitioned): Promise<string[]> {
  const { rows } = await knex.raw<{ rows: Array<{ month: string }> }>(`
    SELECT to_char(m, 'YYYY-MM-DD') AS month FROM (
      SELECT DISTINCT date_trunc('month', ${t.column}, 'UTC') AT TIME ZONE 'UTC' AS m FROM ${OLD(t)}
      UNION
      SELECT date_trunc('month', now() AT TIME ZONE 'UTC') + k * interval '1 month'
        FROM generate_series(-13, 3) k
    ) months ORDER BY 1`);
  return rows.map((r) => r.month);
}

async function partition(knex: Knex, t: Partitioned): Promise<void> {
  const name = `${t.schema}.${t.table}`;
  await knex.raw(`ALTER TABLE ${name} RENAME TO ${t.table}_unpartitioned`);
  // The old keys go first: their names (and the indexes behind them) belong to the new table.
  const { rows: keys } = await knex.raw<{ rows: Array<{ name: string; index: boolean }> }>(
    `SELECT conname AS name, false AS index FROM pg_constraint
      WHERE conrelid = ?::regclass AND contype IN ('p', 'u')
     UNION ALL
     SELECT i.relname, true FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid = ?::regclass
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`,
    [OLD(t), OLD(t)],
  );
  for (const key of keys)
    await knex.raw(
      key.index ? `DROP INDEX ${t.schema}.${key.name}` : `ALTER TABLE ${OLD(t)} DROP CONSTRAINT ${key.name}`,
    );
  if (t.table === 'anomalies') await knex.raw('ALTER SEQUENCE analytics.anomalies_id_seq OWNED BY NONE');
  await knex.raw(`CREATE TABLE ${name} (${t.columns}) PARTITION BY RANGE (${t.column})`);
  for (const month of await monthsOf(knex, t)) {
    const [y, m] = [Number(month.slice(0, 4)), Number(month.slice(5, 7))];
    const next = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
    await knex.raw(
      `CREATE TABLE ${name}_p${month.slice(0, 4)}${month.slice(5, 7)} PARTITION OF ${name}
         FOR VALUES FROM ('${month} 00:00:00+00') TO ('${next} 00:00:00+00')`,
    );
  }
  await knex.raw(`CREATE TABLE ${name}_default PARTITION OF ${name} DEFAULT`);
  await knex.raw(`INSERT INTO ${name} SELECT * FROM ${OLD(t)} ORDER BY ${t.column}`);
  await knex.raw(t.keys);
  if (t.table === 'anomalies')
    await knex.raw('ALTER SEQUENCE analytics.anomalies_id_seq OWNED BY analytics.anomalies.id');
  await knex.raw(`DROP TABLE ${OLD(t)}`);
}

/**
 * What the ledger's statement triggers keep, beside the rows:
 * - `ledger_event_ids`: every (event_id, occurred_at) of the ledger, event_id unique;
 * - `ledger_totals`: per pair, the on-hand and reserved change and the row count of every ledger
 *   row that occurred before `ledger_totals_until.until` — rows already in a dropped (archived)
 *   month included, so on-hand still reconciles with ledger_totals + the rows from `until` on.
 *   The maintenance DAG moves `until` forward (advanceLedgerTotals); a write of a row older than
 *   `until` (a bulk history load) adds itself to the totals here.
 */
/** Where the totals stand; '-infinity' also when a TRUNCATE of the whole schema emptied the row. */
const UNTIL = `coalesce((SELECT until FROM inventory.ledger_totals_until), '-infinity')`;

/** Adds (sign 1) or takes away (sign -1) the rows of a transition table that are older than until. */
const addToTotals = (rows: 'new_rows' | 'old_rows', sign: 1 | -1) => `
      INSERT INTO inventory.ledger_totals AS t (sku, warehouse_id, on_hand_change, reserved_change, row_count)
      SELECT sku, warehouse_id,
             ${sign} * coalesce(sum(quantity_change) FILTER (WHERE event_type NOT IN ('RESERVATION','RESERVATION_RELEASE')), 0),
             ${sign} * coalesce(sum(quantity_change) FILTER (WHERE event_type IN ('RESERVATION','RESERVATION_RELEASE')), 0),
             ${sign} * count(*)
        FROM ${rows} WHERE occurred_at < ${UNTIL}
       GROUP BY sku, warehouse_id
      ON CONFLICT (sku, warehouse_id) DO UPDATE
        SET on_hand_change = t.on_hand_change + excluded.on_hand_change,
            reserved_change = t.reserved_change + excluded.reserved_change,
            row_count = t.row_count + excluded.row_count;`;

const LEDGER_REGISTRIES = `
  CREATE TABLE inventory.ledger_event_ids (
    event_id    uuid PRIMARY KEY,
    occurred_at timestamptz NOT NULL
  );
  INSERT INTO inventory.ledger_event_ids SELECT event_id, occurred_at FROM inventory.inventory_transactions;
  CREATE INDEX ledger_event_ids_occurred_idx ON inventory.ledger_event_ids USING brin (occurred_at);

  CREATE TABLE inventory.ledger_totals (
    sku             text NOT NULL,
    warehouse_id    text NOT NULL,
    on_hand_change  bigint NOT NULL,
    reserved_change bigint NOT NULL,
    row_count       bigint NOT NULL,
    PRIMARY KEY (sku, warehouse_id)
  );
  CREATE TABLE inventory.ledger_totals_until (
    one   boolean PRIMARY KEY DEFAULT true CHECK (one),
    until timestamptz NOT NULL
  );
  INSERT INTO inventory.ledger_totals_until (until) VALUES ('-infinity');

  -- A second id, whatever its time, violates ledger_event_ids_pkey (SQLSTATE 23505) and fails
  -- the statement that wrote it, like the old single-column primary key did.
  CREATE FUNCTION inventory.ledger_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    INSERT INTO inventory.ledger_event_ids (event_id, occurred_at) SELECT event_id, occurred_at FROM new_rows;
    IF EXISTS (SELECT 1 FROM new_rows WHERE occurred_at < ${UNTIL}) THEN
      ${addToTotals('new_rows', 1)}
    END IF;
    RETURN NULL;
  END $$;
  CREATE FUNCTION inventory.ledger_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    DELETE FROM inventory.ledger_event_ids i USING old_rows o
     WHERE i.event_id = o.event_id AND i.occurred_at = o.occurred_at;
    IF EXISTS (SELECT 1 FROM old_rows WHERE occurred_at < ${UNTIL}) THEN
      ${addToTotals('old_rows', -1)}
    END IF;
    RETURN NULL;
  END $$;
  CREATE FUNCTION inventory.ledger_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    DELETE FROM inventory.ledger_event_ids i
     USING (SELECT event_id, occurred_at FROM old_rows EXCEPT SELECT event_id, occurred_at FROM new_rows) o
     WHERE i.event_id = o.event_id AND i.occurred_at = o.occurred_at;
    INSERT INTO inventory.ledger_event_ids (event_id, occurred_at)
    SELECT event_id, occurred_at FROM new_rows EXCEPT SELECT event_id, occurred_at FROM old_rows;
    IF EXISTS (SELECT 1 FROM old_rows WHERE occurred_at < ${UNTIL})
       OR EXISTS (SELECT 1 FROM new_rows WHERE occurred_at < ${UNTIL}) THEN
      ${addToTotals('old_rows', -1)}
      ${addToTotals('new_rows', 1)}
    END IF;
    RETURN NULL;
  END $$;
  CREATE FUNCTION inventory.ledger_after_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    BEGIN
      TRUNCATE inventory.ledger_event_ids, inventory.ledger_totals;
    EXCEPTION WHEN object_in_use THEN
      -- The TRUNCATE that fired this names them too (a whole schema emptied): they are empty.
      DELETE FROM inventory.ledger_event_ids;
      DELETE FROM inventory.ledger_totals;
    END;
    INSERT INTO inventory.ledger_totals_until (until) VALUES ('-infinity')
    ON CONFLICT (one) DO UPDATE SET until = '-infinity';
    RETURN NULL;
  END $$;
  CREATE TRIGGER ledger_after_insert AFTER INSERT ON inventory.inventory_transactions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION inventory.ledger_after_insert();
  CREATE TRIGGER ledger_after_delete AFTER DELETE ON inventory.inventory_transactions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION inventory.ledger_after_delete();
  CREATE TRIGGER ledger_after_update AFTER UPDATE ON inventory.inventory_transactions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION inventory.ledger_after_update();
  CREATE TRIGGER ledger_after_truncate AFTER TRUNCATE ON inventory.inventory_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION inventory.ledger_after_truncate();
  -- Also under session_replication_role = replica, which the bulk loaders set to skip foreign keys.
  ALTER TABLE inventory.inventory_transactions ENABLE ALWAYS TRIGGER ledger_after_insert;
  ALTER TABLE inventory.inventory_transactions ENABLE ALWAYS TRIGGER ledger_after_delete;
  ALTER TABLE inventory.inventory_transactions ENABLE ALWAYS TRIGGER ledger_after_update;
  ALTER TABLE inventory.inventory_transactions ENABLE ALWAYS TRIGGER ledger_after_truncate;

  -- Archived months of the partitioned tables (the maintenance DAG's manifest): one row per
  -- table and month, written when its Parquet files are complete, verified against the
  -- partition before it is dropped.
  CREATE TABLE inventory.partition_archives (
    table_name   text NOT NULL,
    month        date NOT NULL CHECK (extract(day FROM month) = 1),
    path         text NOT NULL,
    files        integer NOT NULL CHECK (files >= 0),
    row_count    bigint NOT NULL CHECK (row_count >= 0),
    checksum     bigint NOT NULL,
    archived_at  timestamptz NOT NULL DEFAULT now(),
    verified_at  timestamptz,
    dropped_at   timestamptz,
    PRIMARY KEY (table_name, month)
  );`;

const ORDERS_UP = `
  -- The pair page's level history reads one pair's snapshots; the key leads with the day.
  CREATE INDEX daily_inventory_snapshots_pair_idx
    ON analytics.daily_inventory_snapshots (sku, warehouse_id, snapshot_date);
  ALTER TABLE inventory.purchase_orders
    ADD COLUMN received_at timestamptz CHECK (received_at >= ordered_at),
    ADD COLUMN closed_at timestamptz GENERATED ALWAYS AS (least(received_at, cancelled_at)) STORED;
  CREATE INDEX purchase_orders_closed_idx ON inventory.purchase_orders (closed_at);`;

export async function up(knex: Knex): Promise<void> {
  for (const t of TABLES) await partition(knex, t);
  await knex.raw(LEDGER_REGISTRIES);
  await knex.raw(ORDERS_UP);
}

/** The flat tables of 0001/0002/0003/0005/0008, rows included (archived months stay archived). */
export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX analytics.daily_inventory_snapshots_pair_idx;
    DROP INDEX inventory.purchase_orders_closed_idx;
    ALTER TABLE inventory.purchase_orders DROP COLUMN closed_at, DROP COLUMN received_at;
    DROP TABLE inventory.partition_archives;
    DROP TRIGGER ledger_after_insert ON inventory.inventory_transactions;
    DROP TRIGGER ledger_after_delete ON inventory.inventory_transactions;
    DROP TRIGGER ledger_after_update ON inventory.inventory_transactions;
    DROP TRIGGER ledger_after_truncate ON inventory.inventory_transactions;
    DROP FUNCTION inventory.ledger_after_insert(), inventory.ledger_after_delete(),
      inventory.ledger_after_update(), inventory.ledger_after_truncate();
    DROP TABLE inventory.ledger_event_ids, inventory.ledger_totals, inventory.ledger_totals_until;`);
  for (const t of TABLES) {
    const name = `${t.schema}.${t.table}`;
    await knex.raw(`ALTER TABLE ${name} RENAME TO ${t.table}_partitioned`);
    const { rows } = await knex.raw<{ rows: Array<{ name: string; index: boolean }> }>(
      `SELECT conname AS name, false AS index FROM pg_constraint
        WHERE conrelid = ?::regclass AND contype IN ('p', 'u')
       UNION ALL
       SELECT i.relname, true FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = ?::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`,
      [`${name}_partitioned`, `${name}_partitioned`],
    );
    for (const key of rows)
      await knex.raw(
        key.index
          ? `DROP INDEX ${t.schema}.${key.name}`
          : `ALTER TABLE ${name}_partitioned DROP CONSTRAINT ${key.name}`,
      );
    if (t.table === 'anomalies') await knex.raw('ALTER SEQUENCE analytics.anomalies_id_seq OWNED BY NONE');
    await knex.raw(`CREATE TABLE ${name} (${t.columns})`);
    await knex.raw(`INSERT INTO ${name} SELECT * FROM ${name}_partitioned ORDER BY ${t.column}`);
    await knex.raw(`DROP TABLE ${name}_partitioned`);
  }
  await knex.raw(`
    ALTER TABLE inventory.inventory_transactions ADD PRIMARY KEY (event_id);
    CREATE INDEX inventory_transactions_pair_time_idx
      ON inventory.inventory_transactions (sku, warehouse_id, occurred_at);
    CREATE INDEX inventory_transactions_occurred_idx ON inventory.inventory_transactions (occurred_at);
    CREATE INDEX inventory_transactions_ingested_idx ON inventory.inventory_transactions (ingested_at);
    CREATE INDEX inventory_transactions_receipt_idx
      ON inventory.inventory_transactions (sku, warehouse_id, reference_id)
      WHERE event_type IN ('RESTOCK', 'TRANSFER_IN');

    ALTER TABLE analytics.anomalies ADD PRIMARY KEY (id);
    ALTER TABLE analytics.anomalies ADD CONSTRAINT anomalies_event_id_anomaly_type_key UNIQUE (event_id, anomaly_type);
    ALTER TABLE analytics.anomalies ADD CONSTRAINT anomalies_anomaly_id_key UNIQUE (anomaly_id);
    ALTER SEQUENCE analytics.anomalies_id_seq OWNED BY analytics.anomalies.id;
    CREATE INDEX anomalies_pair_time_idx ON analytics.anomalies (sku, warehouse_id, occurred_at);
    CREATE INDEX anomalies_detected_idx ON analytics.anomalies (detected_at);

    ALTER TABLE analytics.stream_windows ADD PRIMARY KEY (window_kind, window_start, sku, warehouse_id);
    CREATE INDEX stream_windows_end_idx ON analytics.stream_windows (window_end);`);
}
