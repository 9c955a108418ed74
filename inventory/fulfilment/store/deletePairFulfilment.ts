import type { Knex } from 'knex';
import { bind } from '../../../db/index.js';

/**
 * Deletes the order, shipment and audit rows of the given (sku × warehouse) pairs, as the
 * generator does before it writes a history of the same pairs again: every order with a line of
 * one of these pairs (with its events, lines and shipments), and the audit events about them.
 * Returns how many orders went.
 */
export async function deletePairFulfilment(
  trx: Knex | Knex.Transaction,
  skus: readonly string[],
  warehouseIds: readonly string[],
): Promise<number> {
  const { rows } = await trx.raw<{ rows: Array<{ n: number }> }>(
    `WITH doomed AS MATERIALIZED (
       SELECT DISTINCT order_id FROM inventory.order_lines WHERE sku = ANY(?::text[]) AND warehouse_id = ANY(?::text[])
     ), shipment_events AS (
       DELETE FROM inventory.shipment_events e USING doomed d WHERE e.order_id = d.order_id
     ), shipments AS (
       DELETE FROM inventory.shipments s USING doomed d WHERE s.order_id = d.order_id
     ), order_events AS (
       -- An order's events are the range of natural keys that start with its id and '|'.
       DELETE FROM inventory.order_events e WHERE e.event_id IN (
         SELECT x.event_id FROM doomed d CROSS JOIN LATERAL (
           SELECT o.event_id FROM inventory.order_events o
            WHERE o.natural_key >= d.order_id || '|' AND o.natural_key < d.order_id || '}'
              AND o.order_id = d.order_id
           OFFSET 0) x) -- a fence: one range scan of the natural key per order, not a join over the table
     ), order_lines AS (
       DELETE FROM inventory.order_lines l USING doomed d WHERE l.order_id = d.order_id
     ), orders AS (
       DELETE FROM inventory.orders o USING doomed d WHERE o.order_id = d.order_id RETURNING 1
     ), audit AS (
       DELETE FROM inventory.audit_events a WHERE a.sku = ANY(?::text[]) AND a.warehouse_id = ANY(?::text[])
     )
     SELECT count(*)::int AS n FROM orders`,
    bind(skus, warehouseIds, skus, warehouseIds),
  );
  return rows[0]?.n ?? 0;
}
