import type { Knex } from 'knex';

/** The analytics schema: everything the DAGs and the streaming sidecar derive from the ledger. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE SCHEMA IF NOT EXISTS analytics;

    CREATE TABLE analytics.daily_inventory_snapshots (
      snapshot_date      date NOT NULL,
      sku                text NOT NULL REFERENCES inventory.products (sku),
      warehouse_id       text NOT NULL REFERENCES inventory.warehouses (warehouse_id),
      quantity_on_hand   integer NOT NULL,
      quantity_reserved  integer NOT NULL,
      quantity_available integer NOT NULL,
      units_in           integer NOT NULL DEFAULT 0 CHECK (units_in >= 0),
      units_out          integer NOT NULL DEFAULT 0 CHECK (units_out >= 0),
      transaction_count  integer NOT NULL DEFAULT 0 CHECK (transaction_count >= 0),
      inventory_value    numeric(16,2) NOT NULL,
      computed_at        timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (snapshot_date, sku, warehouse_id)
    );

    CREATE TABLE analytics.transaction_aggregates (
      grain               text NOT NULL CHECK (grain IN ('hour','day','week')),
      bucket_start        timestamptz NOT NULL,
      sku                 text NOT NULL REFERENCES inventory.products (sku),
      warehouse_id        text NOT NULL REFERENCES inventory.warehouses (warehouse_id),
      units_in            integer NOT NULL CHECK (units_in >= 0),
      units_out           integer NOT NULL CHECK (units_out >= 0),
      net_change          integer NOT NULL,
      transaction_count   integer NOT NULL CHECK (transaction_count > 0),
      sales_units         integer NOT NULL DEFAULT 0 CHECK (sales_units >= 0),
      sales_value         numeric(16,2) NOT NULL DEFAULT 0,
      distinct_references integer NOT NULL DEFAULT 0,
      computed_at         timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (grain, bucket_start, sku, warehouse_id)
    );
    CREATE INDEX transaction_aggregates_pair_idx
      ON analytics.transaction_aggregates (sku, warehouse_id, grain, bucket_start);

    CREATE TABLE analytics.processed_metrics (
      sku                   text NOT NULL REFERENCES inventory.products (sku),
      warehouse_id          text NOT NULL REFERENCES inventory.warehouses (warehouse_id),
      as_of_date            date NOT NULL,
      quantity_on_hand      integer NOT NULL,
      quantity_reserved     integer NOT NULL,
      velocity_7d           double precision NOT NULL CHECK (velocity_7d >= 0),
      velocity_30d          double precision NOT NULL CHECK (velocity_30d >= 0),
      volatility            double precision NOT NULL CHECK (volatility >= 0),
      trend                 double precision NOT NULL,
      seasonality_index     double precision NOT NULL CHECK (seasonality_index >= 0),
      expected_daily_demand double precision NOT NULL CHECK (expected_daily_demand >= 0),
      stockout_risk         double precision NOT NULL CHECK (stockout_risk BETWEEN 0 AND 1),
      days_of_cover         double precision,
      safety_stock          double precision NOT NULL CHECK (safety_stock >= 0),
      reorder_point         double precision NOT NULL,
      reorder_quantity      integer NOT NULL CHECK (reorder_quantity >= 0),
      computed_at           timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (sku, warehouse_id, as_of_date)
    );
    CREATE INDEX processed_metrics_date_idx ON analytics.processed_metrics (as_of_date);

    CREATE TABLE analytics.stream_windows (
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
      closed_at     timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (window_kind, window_start, sku, warehouse_id)
    );
    CREATE INDEX stream_windows_end_idx ON analytics.stream_windows (window_end);

    CREATE TABLE analytics.anomalies (
      id            bigserial PRIMARY KEY,
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
      UNIQUE (event_id, anomaly_type)
    );
    CREATE INDEX anomalies_pair_time_idx ON analytics.anomalies (sku, warehouse_id, occurred_at);
    CREATE INDEX anomalies_detected_idx ON analytics.anomalies (detected_at);

    CREATE TABLE analytics.alerts (
      id              bigserial PRIMARY KEY,
      alert_type      text NOT NULL,
      severity        text NOT NULL CHECK (severity IN ('low','medium','high','critical')),
      source          text NOT NULL,
      sku             text,
      warehouse_id    text,
      message         text NOT NULL CHECK (message <> ''),
      details         jsonb NOT NULL DEFAULT '{}',
      dedup_key       text NOT NULL,
      created_at      timestamptz NOT NULL DEFAULT now(),
      acknowledged_at timestamptz,
      resolved_at     timestamptz
    );
    CREATE INDEX alerts_dedup_idx ON analytics.alerts (dedup_key, created_at DESC);
    CREATE INDEX alerts_open_idx ON analytics.alerts (created_at DESC) WHERE resolved_at IS NULL;

    CREATE TABLE analytics.weekly_summaries (
      week_start   date PRIMARY KEY CHECK (extract(isodow FROM week_start) = 1),
      week_end     date NOT NULL,
      metrics      jsonb NOT NULL,
      report_html  text NOT NULL,
      computed_at  timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE analytics.data_quality_results (
      id            bigserial PRIMARY KEY,
      check_run_key text NOT NULL,
      rule_id       text NOT NULL,
      rule_group    text NOT NULL CHECK (rule_group IN ('integrity','business_rules','completeness','freshness','consistency')),
      passed        boolean NOT NULL,
      failing_count bigint NOT NULL CHECK (failing_count >= 0),
      checked_count bigint NOT NULL CHECK (checked_count >= 0),
      sample        jsonb NOT NULL DEFAULT '[]',
      checked_at    timestamptz NOT NULL DEFAULT now(),
      UNIQUE (check_run_key, rule_id)
    );
    CREATE INDEX data_quality_results_checked_idx ON analytics.data_quality_results (checked_at DESC);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP SCHEMA IF EXISTS analytics CASCADE');
}
