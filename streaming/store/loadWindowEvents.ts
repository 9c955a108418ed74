import type { Knex } from 'knex';
import { bind } from '../../db/index.js';

export interface WindowEventRow {
  sku: string;
  warehouseId: string;
  quantityChange: number;
  occurredAt: Date;
}

/**
 * The ledger rows one partition delivered at or after `from`, in event-time order: what the open
 * windows of that partition contained when its previous owner stopped.
 */
export async function loadWindowEvents(db: Knex, partition: number, from: Date): Promise<WindowEventRow[]> {
  const { rows } = await db.raw<{
    rows: Array<{ sku: string; warehouse_id: string; quantity_change: number; occurred_at: Date }>;
  }>(
    `SELECT sku, warehouse_id, quantity_change, occurred_at
       FROM inventory.inventory_transactions
      WHERE occurred_at >= ?::timestamptz AND source_partition = ?
      ORDER BY occurred_at, event_id`,
    bind(from.toISOString(), partition),
  );
  return rows.map((r) => ({
    sku: r.sku,
    warehouseId: r.warehouse_id,
    quantityChange: r.quantity_change,
    occurredAt: r.occurred_at,
  }));
}
