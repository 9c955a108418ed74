import type { Knex } from 'knex';
import { bind } from '../../../db/index.js';

export interface LevelInput {
  sku: string;
  warehouse_id: string;
  quantity_on_hand: number;
  quantity_reserved: number;
  reorder_point: number | null;
  safety_stock: number | null;
  last_event_at: Date | null;
}

/** Sets the levels of the given pairs (inserting missing ones) to exactly these values. */
export async function upsertLevels(knex: Knex, levels: readonly LevelInput[]): Promise<void> {
  if (levels.length === 0) return;
  await knex.raw(
    `INSERT INTO inventory.inventory_levels
       (sku, warehouse_id, quantity_on_hand, quantity_reserved, reorder_point, safety_stock, last_event_at)
     SELECT * FROM unnest(?::text[], ?::text[], ?::int[], ?::int[], ?::numeric[], ?::numeric[], ?::timestamptz[])
     ON CONFLICT (sku, warehouse_id) DO UPDATE SET
       quantity_on_hand = EXCLUDED.quantity_on_hand, quantity_reserved = EXCLUDED.quantity_reserved,
       reorder_point = EXCLUDED.reorder_point, safety_stock = EXCLUDED.safety_stock,
       last_event_at = EXCLUDED.last_event_at, updated_at = now()`,
    bind(
      levels.map((l) => l.sku),
      levels.map((l) => l.warehouse_id),
      levels.map((l) => l.quantity_on_hand),
      levels.map((l) => l.quantity_reserved),
      levels.map((l) => l.reorder_point),
      levels.map((l) => l.safety_stock),
      levels.map((l) => l.last_event_at?.toISOString() ?? null),
    ),
  );
}

export interface CurrentLevel {
  sku: string;
  warehouseId: string;
  onHand: number;
  reserved: number;
}

/** The current levels of the pairs in `skus × warehouseIds` that have a level row. */
export async function loadLevels(
  knex: Knex,
  skus: readonly string[],
  warehouseIds: readonly string[],
): Promise<CurrentLevel[]> {
  const { rows } = await knex.raw<{
    rows: Array<{ sku: string; warehouse_id: string; quantity_on_hand: number; quantity_reserved: number }>;
  }>(
    `SELECT sku, warehouse_id, quantity_on_hand, quantity_reserved FROM inventory.inventory_levels
     WHERE sku = ANY(?::text[]) AND warehouse_id = ANY(?::text[])`,
    bind(skus, warehouseIds),
  );
  return rows.map((r) => ({
    sku: r.sku,
    warehouseId: r.warehouse_id,
    onHand: r.quantity_on_hand,
    reserved: r.quantity_reserved,
  }));
}
