import type { Knex } from 'knex';
import { bind } from '../../../db/index.js';

export interface OpeningStock {
  eventId: string;
  sku: string;
  warehouseId: string;
  quantity: number;
  reorderPoint: number | null;
  safetyStock: number | null;
}

/**
 * Gives every listed pair that has no level row yet an opening stock count: one ADJUSTMENT in the
 * ledger and a level equal to it, in one statement, so on-hand equals the sum of the ledger from
 * the first event on. Pairs that already have a level are left alone. Returns how many were opened.
 */
export async function insertOpeningStock(
  knex: Knex,
  openings: readonly OpeningStock[],
  at: Date,
): Promise<number> {
  if (openings.length === 0) return 0;
  const { rows } = await knex.raw<{ rows: Array<{ sku: string }> }>(
    `WITH input AS (
       SELECT * FROM unnest(?::uuid[], ?::text[], ?::text[], ?::int[], ?::numeric[], ?::numeric[])
         AS t(id, sku, wh, q, rp, ss)
     ), missing AS (
       SELECT i.* FROM input i
       WHERE NOT EXISTS (SELECT 1 FROM inventory.inventory_levels l WHERE l.sku = i.sku AND l.warehouse_id = i.wh)
     ), ledger AS (
       INSERT INTO inventory.inventory_transactions
         (event_id, sku, warehouse_id, event_type, quantity_change, occurred_at, reference_id, notes)
       SELECT id, sku, wh, 'ADJUSTMENT', q, ?::timestamptz, 'STOCKTAKE-OPENING', 'Opening stock count' FROM missing
       ON CONFLICT (event_id, occurred_at) DO NOTHING
       RETURNING event_id
     )
     INSERT INTO inventory.inventory_levels
       (sku, warehouse_id, quantity_on_hand, quantity_reserved, reorder_point, safety_stock, last_event_at)
     SELECT m.sku, m.wh, m.q, 0, m.rp, m.ss, ?::timestamptz FROM missing m JOIN ledger l ON l.event_id = m.id
     ON CONFLICT (sku, warehouse_id) DO NOTHING
     RETURNING sku`,
    bind(
      openings.map((o) => o.eventId),
      openings.map((o) => o.sku),
      openings.map((o) => o.warehouseId),
      openings.map((o) => o.quantity),
      openings.map((o) => o.reorderPoint),
      openings.map((o) => o.safetyStock),
      at.toISOString(),
      at.toISOString(),
    ),
  );
  return rows.length;
}
