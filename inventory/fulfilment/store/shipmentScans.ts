import type { Knex } from 'knex';
import { bind } from '../../../db/index.js';
import type { ShipmentEventType } from '../contract.js';

/** A stored scan that can close a shipment's exception: in transit again, or delivered. */
export interface ShipmentScan {
  eventId: string;
  eventType: Extract<ShipmentEventType, 'IN_TRANSIT' | 'DELIVERED'>;
  shipmentId: string;
  orderId: string;
  occurredAt: Date;
}

/**
 * Every IN_TRANSIT and DELIVERED event stored for these shipments (`shipment_events_shipment_idx`):
 * an exception that arrives after the scan that followed it is opened and closed at once.
 */
export async function loadShipmentScans(
  trx: Knex | Knex.Transaction,
  shipmentIds: readonly string[],
): Promise<ShipmentScan[]> {
  if (shipmentIds.length === 0) return [];
  const { rows } = await trx.raw<{
    rows: Array<{
      event_id: string;
      event_type: ShipmentScan['eventType'];
      shipment_id: string;
      order_id: string;
      occurred_at: Date;
    }>;
  }>(
    `SELECT event_id, event_type, shipment_id, order_id, occurred_at FROM inventory.shipment_events
      WHERE shipment_id = ANY(?::text[]) AND event_type IN ('IN_TRANSIT', 'DELIVERED')`,
    bind(shipmentIds),
  );
  return rows.map((r) => ({
    eventId: r.event_id,
    eventType: r.event_type,
    shipmentId: r.shipment_id,
    orderId: r.order_id,
    occurredAt: r.occurred_at,
  }));
}
