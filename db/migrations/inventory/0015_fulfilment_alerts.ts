import type { Knex } from 'knex';

/**
 * Alerts about an order, a shipment or an audited entity (inventory/fulfilment/CONTRACT.md §10).
 *
 * - `analytics.alerts.subject_type`, `subject_id`: what the alert is about when that is not a pair
 *   (`order` ORDER-…, `shipment` SHP-…, `audit_entity` entity:entityId); both null for every alert
 *   about a pair or a rule, as before. The dedup key stays the one identity of an incident. Their
 *   resolutions: `dispatched`, `cancelled` (an order), `delivered`, `back_in_transit` (a shipment).
 * - `inventory.orders.source_partition`: the partition of the order's topic its events came from.
 *   The sidecar re-evaluates the late-dispatch risk of each open order in the chunks of that
 *   partition only, where the order's own events are complete up to the chunk's event time.
 * - `orders_pick_queue_idx`: the open orders of a warehouse by promise (its pick queue), and
 *   `order_lines_warehouse_picked_idx`, `shipments_warehouse_dispatched_idx`: its recent picks and
 *   dispatches (its pick rate, its time from pick to dispatch).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE analytics.alerts
      ADD COLUMN subject_type text CHECK (subject_type IN ('order', 'shipment', 'audit_entity')),
      ADD COLUMN subject_id text,
      ADD CONSTRAINT alerts_subject_check CHECK ((subject_type IS NULL) = (subject_id IS NULL)),
      DROP CONSTRAINT alerts_resolution_check,
      ADD CONSTRAINT alerts_resolution_check CHECK (resolution IN
        ('cleared', 'quiet', 'passed', 'superseded', 'dispatched', 'cancelled', 'delivered', 'back_in_transit'));
    CREATE INDEX alerts_subject_idx ON analytics.alerts (subject_type, subject_id) WHERE subject_type IS NOT NULL;

    ALTER TABLE inventory.orders ADD COLUMN source_partition integer;
    CREATE INDEX orders_pick_queue_idx ON inventory.orders (warehouse_id, promised_dispatch_at)
      WHERE cancelled_at IS NULL AND packed_at IS NULL;
    CREATE INDEX order_lines_warehouse_picked_idx ON inventory.order_lines (warehouse_id, picked_at)
      WHERE picked_at IS NOT NULL;
    CREATE INDEX shipments_warehouse_dispatched_idx ON inventory.shipments (warehouse_id, dispatched_at)
      WHERE dispatched_at IS NOT NULL;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX inventory.shipments_warehouse_dispatched_idx;
    DROP INDEX inventory.order_lines_warehouse_picked_idx;
    DROP INDEX inventory.orders_pick_queue_idx;
    ALTER TABLE inventory.orders DROP COLUMN source_partition;
    DROP INDEX analytics.alerts_subject_idx;
    DELETE FROM analytics.alerts WHERE subject_type IS NOT NULL;
    ALTER TABLE analytics.alerts DROP CONSTRAINT alerts_subject_check,
      DROP COLUMN subject_id, DROP COLUMN subject_type,
      DROP CONSTRAINT alerts_resolution_check,
      ADD CONSTRAINT alerts_resolution_check CHECK (resolution IN ('cleared', 'quiet', 'passed', 'superseded'));
  `);
}
