import type { Knex } from 'knex';
import { bind } from '../../db/index.js';

export interface ProductRow {
  sku: string;
  name: string;
  category: string;
  unitCost: number;
  unitPrice: number;
  leadTimeDays: number;
}

export interface WarehouseRow {
  warehouseId: string;
  name: string;
  zone: string;
  timezone: string;
  /** Local opening time, minutes after midnight. */
  openMinute: number;
  /** Local closing time, minutes after midnight (exclusive). */
  closeMinute: number;
  weekendOperation: boolean;
}

/** 'HH:MM[:SS[.ffffff]]' → minutes after midnight, fractional (so 23:59:59.999 closes after 23:59). */
function minutes(time: string): number {
  const [h, m, s] = time.split(':');
  return Number(h) * 60 + Number(m) + Number(s ?? 0) / 60;
}

/** Products, all of them or only the given SKUs. */
export async function loadProducts(db: Knex, skus?: readonly string[]): Promise<ProductRow[]> {
  const { rows } = await db.raw<{ rows: Array<Record<string, unknown>> }>(
    `SELECT sku, name, category, unit_cost, unit_price, lead_time_days FROM inventory.products
      WHERE ?::text[] IS NULL OR sku = ANY(?::text[])`,
    bind(skus ?? null, skus ?? null),
  );
  return rows.map((r) => ({
    sku: r.sku as string,
    name: r.name as string,
    category: r.category as string,
    unitCost: Number(r.unit_cost),
    unitPrice: Number(r.unit_price),
    leadTimeDays: Number(r.lead_time_days),
  }));
}

/** Warehouses, all of them or only the given ids. */
export async function loadWarehouses(db: Knex, ids?: readonly string[]): Promise<WarehouseRow[]> {
  const { rows } = await db.raw<{ rows: Array<Record<string, unknown>> }>(
    `SELECT warehouse_id, name, zone, timezone, business_hours_start::text AS open_at,
            business_hours_end::text AS close_at, weekend_operation
       FROM inventory.warehouses
      WHERE ?::text[] IS NULL OR warehouse_id = ANY(?::text[])`,
    bind(ids ?? null, ids ?? null),
  );
  return rows.map((r) => ({
    warehouseId: r.warehouse_id as string,
    name: r.name as string,
    zone: r.zone as string,
    timezone: r.timezone as string,
    openMinute: minutes(r.open_at as string),
    closeMinute: minutes(r.close_at as string),
    weekendOperation: r.weekend_operation as boolean,
  }));
}
