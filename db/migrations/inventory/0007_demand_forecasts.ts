import type { Knex } from 'knex';

/**
 * The daily demand forecast per pair (SPEC §5 "Demand forecast"), written by the daily ETL for its
 * day D = as_of_date:
 * - `lead_time_demand`: one row per pair and day: the model, its parameters, and the mean and
 *   standard deviation of the demand summed over the lead time (what the stock-out model reads);
 * - `demand_forecasts`: one row per pair, day and target day D+1 … D+L: the daily mean and its
 *   80 % band.
 * Both are replaced together for a day in one transaction. The per-day table has no foreign keys:
 * it takes about lead-time times as many rows as there are pairs every night, and its pairs are
 * those of `lead_time_demand`, which has them.
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
      PRIMARY KEY (sku, warehouse_id, as_of_date)
    );
    CREATE INDEX lead_time_demand_date_idx ON analytics.lead_time_demand (as_of_date);

    CREATE TABLE analytics.demand_forecasts (
      sku          text NOT NULL,
      warehouse_id text NOT NULL,
      as_of_date   date NOT NULL,
      target_date  date NOT NULL CHECK (target_date > as_of_date),
      mean         double precision NOT NULL CHECK (mean >= 0),
      lower        double precision NOT NULL CHECK (lower >= 0 AND lower <= mean),
      upper        double precision NOT NULL CHECK (upper >= mean),
      PRIMARY KEY (sku, warehouse_id, as_of_date, target_date)
    );
    CREATE INDEX demand_forecasts_date_idx ON analytics.demand_forecasts (as_of_date);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE analytics.demand_forecasts; DROP TABLE analytics.lead_time_demand');
}
