import type { Knex } from 'knex';
import { bind } from '../../../db/index.js';

export interface ProductInput {
  sku: string;
  name: string;
  category: string;
  unit_cost: number;
  unit_price: number;
  lead_time_days: number;
}

export interface WarehouseInput {
  warehouse_id: string;
  name: string;
  zone: string;
  capacity: number;
  timezone: string;
  business_hours_start: string;
  business_hours_end: string;
  weekend_operation: boolean;
}

/** Inserts or updates products by SKU; `updated_at` moves only for rows whose values changed. */
export async function upsertProducts(knex: Knex, products: readonly ProductInput[]): Promise<void> {
  if (products.length === 0) return;
  await knex.raw(
    `INSERT INTO inventory.products AS p (sku, name, category, unit_cost, unit_price, lead_time_days)
     SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::numeric[], ?::numeric[], ?::int[])
     ON CONFLICT (sku) DO UPDATE SET
       name = EXCLUDED.name, category = EXCLUDED.category, unit_cost = EXCLUDED.unit_cost,
       unit_price = EXCLUDED.unit_price, lead_time_days = EXCLUDED.lead_time_days, updated_at = now()
     WHERE (p.name, p.category, p.unit_cost, p.unit_price, p.lead_time_days)
       IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.category, EXCLUDED.unit_cost, EXCLUDED.unit_price, EXCLUDED.lead_time_days)`,
    bind(
      products.map((p) => p.sku),
      products.map((p) => p.name),
      products.map((p) => p.category),
      products.map((p) => p.unit_cost),
      products.map((p) => p.unit_price),
      products.map((p) => p.lead_time_days),
    ),
  );
}

/** Inserts or updates warehouses by id; `updated_at` moves only for rows whose values changed. */
export async function upsertWarehouses(knex: Knex, warehouses: readonly WarehouseInput[]): Promise<void> {
  if (warehouses.length === 0) return;
  await knex.raw(
    `INSERT INTO inventory.warehouses AS w (warehouse_id, name, zone, capacity, timezone,
       business_hours_start, business_hours_end, weekend_operation)
     SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::int[], ?::text[], ?::time[], ?::time[], ?::boolean[])
     ON CONFLICT (warehouse_id) DO UPDATE SET
       name = EXCLUDED.name, zone = EXCLUDED.zone, capacity = EXCLUDED.capacity, timezone = EXCLUDED.timezone,
       business_hours_start = EXCLUDED.business_hours_start, business_hours_end = EXCLUDED.business_hours_end,
       weekend_operation = EXCLUDED.weekend_operation, updated_at = now()
     WHERE (w.name, w.zone, w.capacity, w.timezone, w.business_hours_start, w.business_hours_end, w.weekend_operation)
       IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.zone, EXCLUDED.capacity, EXCLUDED.timezone,
         EXCLUDED.business_hours_start, EXCLUDED.business_hours_end, EXCLUDED.weekend_operation)`,
    bind(
      warehouses.map((w) => w.warehouse_id),
      warehouses.map((w) => w.name),
      warehouses.map((w) => w.zone),
      warehouses.map((w) => w.capacity),
      warehouses.map((w) => w.timezone),
      warehouses.map((w) => w.business_hours_start),
      warehouses.map((w) => w.business_hours_end),
      warehouses.map((w) => w.weekend_operation),
    ),
  );
}
