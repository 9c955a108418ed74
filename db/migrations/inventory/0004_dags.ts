import type { Knex } from 'knex';

/**
 * What the five inventory DAGs need beyond the SPEC §4 tables:
 * - `analytics.normal_cdf(x)`: Φ in SQL, the same Numerical Recipes erf polynomial that
 *   simple-statistics evaluates in inventory/analytics/, so stock-out risk is computed set-based
 *   and agrees with the TypeScript definition to rounding;
 * - `aggregated_metrics`: the daily roll-up of processed_metrics per warehouse, category and total;
 * - `transaction_aggregates_staging`: rows aggregate_transactions prepared for load_aggregates;
 * - `pair_velocity`: the hourly refreshed rolling velocity and trend per pair;
 * - `reorder_recommendations`: the outbox of reorder-events (published_at set once sent);
 * - `data_quality_runs`: one row per data-quality check run with its 0–100 score.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    -- PL/pgSQL rather than a SQL function: the body needs its intermediate values (z, t, tau), and
    -- a SQL function with sub-selects is neither inlined nor cheap to call (about ten times
    -- slower over 50,000 rows). Beyond |x| = 37 the tail is below 1e-299, so Φ is exactly 0 or 1
    -- in double precision; answering directly also avoids exp() raising an underflow error.
    CREATE OR REPLACE FUNCTION analytics.normal_cdf(x double precision) RETURNS double precision
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
    DECLARE
      z double precision;
      t double precision;
      tau double precision;
    BEGIN
      IF x >= 37 THEN RETURN 1; ELSIF x <= -37 THEN RETURN 0; END IF;
      z := x / sqrt(2::double precision);
      t := 1 / (1 + 0.5 * abs(z));
      tau := t * exp(-z * z + ((((((((0.17087277 * t - 0.82215223) * t + 1.48851587) * t - 1.13520398) * t
                 + 0.27886807) * t - 0.18628806) * t + 0.09678418) * t + 0.37409196) * t + 1.00002368) * t
                 - 1.26551223);
      RETURN 0.5 * (1 + CASE WHEN z >= 0 THEN 1 - tau ELSE tau - 1 END);
    END
    $$;

    CREATE TABLE analytics.aggregated_metrics (
      as_of_date          date NOT NULL,
      dimension           text NOT NULL CHECK (dimension IN ('total','warehouse','category')),
      dimension_value     text NOT NULL,
      pair_count          integer NOT NULL,
      quantity_on_hand    bigint NOT NULL,
      quantity_available  bigint NOT NULL,
      inventory_value     numeric(18,2) NOT NULL,
      units_sold_30d      double precision NOT NULL,
      avg_velocity_30d    double precision NOT NULL,
      pairs_at_risk       integer NOT NULL,
      pairs_out_of_stock  integer NOT NULL,
      reorder_units       bigint NOT NULL,
      median_days_of_cover double precision,
      computed_at         timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (as_of_date, dimension, dimension_value)
    );

    -- Unlogged: a crash only loses rows the next try of aggregate_transactions rebuilds anyway.
    CREATE UNLOGGED TABLE analytics.transaction_aggregates_staging (
      run_key             text NOT NULL,
      grain               text NOT NULL,
      bucket_start        timestamptz NOT NULL,
      sku                 text NOT NULL,
      warehouse_id        text NOT NULL,
      units_in            integer NOT NULL,
      units_out           integer NOT NULL,
      net_change          integer NOT NULL,
      transaction_count   integer NOT NULL,
      sales_units         integer NOT NULL,
      sales_value         numeric(16,2) NOT NULL,
      distinct_references integer NOT NULL,
      PRIMARY KEY (run_key, grain, bucket_start, sku, warehouse_id)
    );

    CREATE TABLE analytics.pair_velocity (
      sku           text NOT NULL REFERENCES inventory.products (sku),
      warehouse_id  text NOT NULL REFERENCES inventory.warehouses (warehouse_id),
      as_of         timestamptz NOT NULL,
      velocity_7d   double precision NOT NULL,
      velocity_30d  double precision NOT NULL,
      volatility    double precision NOT NULL,
      trend         double precision NOT NULL,
      computed_at   timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (sku, warehouse_id)
    );

    CREATE TABLE analytics.reorder_recommendations (
      recommendation_id text PRIMARY KEY,
      sku               text NOT NULL REFERENCES inventory.products (sku),
      warehouse_id      text NOT NULL REFERENCES inventory.warehouses (warehouse_id),
      as_of             timestamptz NOT NULL,
      severity          text NOT NULL CHECK (severity IN ('low','medium','high','critical')),
      quantity_available integer NOT NULL,
      reorder_point     double precision NOT NULL,
      reorder_quantity  integer NOT NULL CHECK (reorder_quantity > 0),
      stockout_risk     double precision NOT NULL,
      created_at        timestamptz NOT NULL DEFAULT now(),
      published_at      timestamptz
    );
    CREATE INDEX reorder_recommendations_unpublished_idx
      ON analytics.reorder_recommendations (created_at) WHERE published_at IS NULL;

    CREATE TABLE analytics.data_quality_runs (
      check_run_key  text PRIMARY KEY,
      dag_id         text NOT NULL,
      interval_start timestamptz NOT NULL,
      interval_end   timestamptz NOT NULL,
      score          double precision NOT NULL CHECK (score BETWEEN 0 AND 100),
      rules_checked  integer NOT NULL,
      rules_failed   integer NOT NULL,
      failed_rules   text[] NOT NULL DEFAULT '{}',
      computed_at    timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX data_quality_runs_end_idx ON analytics.data_quality_runs (dag_id, interval_end DESC);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE IF EXISTS analytics.data_quality_runs;
    DROP TABLE IF EXISTS analytics.reorder_recommendations;
    DROP TABLE IF EXISTS analytics.pair_velocity;
    DROP TABLE IF EXISTS analytics.transaction_aggregates_staging;
    DROP TABLE IF EXISTS analytics.aggregated_metrics;
    DROP FUNCTION IF EXISTS analytics.normal_cdf(double precision);
  `);
}
