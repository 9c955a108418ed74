import type { Knex } from 'knex';

/**
 * The demand over the lead time that a processed-metrics row was judged with (SPEC §5, issue 17):
 * `lead_time_demand_mean` and `lead_time_demand_sigma` are the day's demand forecast
 * (`analytics.lead_time_demand` of the same pair and day) when one was stored, else the §5
 * statistics' μL and σ_L. `stockout_probability`, `safety_stock`, `reorder_point` and
 * `reorder_quantity` are computed from them; the low-stock check and the calibration fit read
 * them back instead of recomputing a demand the row never used. Null on rows computed before this
 * migration.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE analytics.processed_metrics
      ADD COLUMN lead_time_demand_mean double precision CHECK (lead_time_demand_mean >= 0),
      ADD COLUMN lead_time_demand_sigma double precision CHECK (lead_time_demand_sigma >= 0);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE analytics.processed_metrics
      DROP COLUMN lead_time_demand_sigma, DROP COLUMN lead_time_demand_mean;
  `);
}
