import type { Knex } from 'knex';

/**
 * The daily demand forecast per pair (SPEC §5 "Demand forecast"), written by the daily ETL for its
 * day D = as_of_date:
 * - `lead_time_demand`: one row per pair and day: the model and its parameters, the mean and
 *   standard deviation of the demand summed over the lead time (what the stock-out model reads),
 *   and the daily means and 80 % bands of D+1 … D+L as arrays (element h is day D+h);
 * - `demand_forecasts`: the same forecasts one row per pair, day and target day, key (sku,
 *   warehouse_id, as_of_date, target_date). A view over the arrays: a night writes one row per
 *   pair instead of lead-time times as many (550,000 rows for 50,000 pairs), and the two can
 *   never disagree.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE analytics.lead_time_demand (
      sku            text NOT NULL REFERENCES inventory.products (sku),
      warehouse_id   text NOT NULL REFERENCES inventory.warehouses (warehouse_id),
      as_of_date     date NOT NULL,
      lead_time_days integer NOT NULL CHECK (lead_time_days >= 1),
      mean           double precision NOT NULL CHECK (mean >= 0),
      sigma          double precision NOT NULL CHECK (sigma >= 0),
      model          text NOT NULL CHECK (model IN ('holt_winters', 'mean', 'zero')),
      params         jsonb,
      training_days  integer NOT NULL CHECK (training_days >= 0),
      band_level     double precision NOT NULL CHECK (band_level > 0 AND band_level < 1),
      daily_mean     double precision[] NOT NULL CHECK (cardinality(daily_mean) = lead_time_days),
      daily_lower    double precision[] NOT NULL CHECK (cardinality(daily_lower) = lead_time_days),
      daily_upper    double precision[] NOT NULL CHECK (cardinality(daily_upper) = lead_time_days),
      PRIMARY KEY (sku, warehouse_id, as_of_date)
    );
    CREATE INDEX lead_time_demand_date_idx ON analytics.lead_time_demand (as_of_date);

    CREATE VIEW analytics.demand_forecasts AS
    SELECT f.sku, f.warehouse_id, f.as_of_date, f.as_of_date + h AS target_date,
           f.daily_mean[h] AS mean, f.daily_lower[h] AS lower, f.daily_upper[h] AS upper
    FROM analytics.lead_time_demand f
    CROSS JOIN LATERAL generate_series(1, f.lead_time_days) AS h;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP VIEW analytics.demand_forecasts; DROP TABLE analytics.lead_time_demand');
}
