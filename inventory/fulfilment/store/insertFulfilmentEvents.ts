import type { Knex } from 'knex';
import { bind } from '../../../db/index.js';
import {
  eventPayload,
  naturalKey,
  type AuditEvent,
  type EventOf,
  type FulfilmentStream,
  type OrderEvent,
  type ShipmentEvent,
} from '../contract.js';

/** The raw event table of each stream. */
export const EVENT_TABLES: Readonly<Record<FulfilmentStream, string>> = {
  orders: 'inventory.order_events',
  shipments: 'inventory.shipment_events',
  audit: 'inventory.audit_events',
};

/**
 * Inserts the events of one stream, each once: a repeated eventId or natural key inserts nothing
 * (`ON CONFLICT DO NOTHING` covers both unique keys). In the same statement the new events — and
 * only they — move the projections (`orders`, `order_lines`, `shipments`): each step's time is the
 * earliest seen, counts add up, so any arrival order gives the same state. Returns the eventIds
 * inserted; a message whose id is not among them (or is there twice) is a repeat to compare.
 */
export async function insertFulfilmentEvents<S extends FulfilmentStream>(
  trx: Knex | Knex.Transaction,
  stream: S,
  events: ReadonlyArray<EventOf<S>>,
  sourcePartition: number | null = null,
): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const rows = JSON.stringify(events.map((e) => rowOf(e as EventOf<FulfilmentStream>)));
  const { rows: inserted } = await trx.raw<{ rows: Array<{ event_id: string }> }>(
    STATEMENTS[stream],
    bind(rows, sourcePartition),
  );
  return new Set(inserted.map((r) => r.event_id));
}

function rowOf(e: EventOf<FulfilmentStream>): Record<string, unknown> {
  const common = {
    event_id: e.eventId,
    natural_key: naturalKey(e),
    event_type: e.eventType,
    occurred_at: e.occurredAt.toISOString(),
    payload: eventPayload(e),
  };
  switch (e.stream) {
    case 'orders':
      return { ...common, ...orderColumns(e) };
    case 'shipments':
      return { ...common, ...shipmentColumns(e) };
    case 'audit':
      return { ...common, ...auditColumns(e) };
  }
}

const orderColumns = (e: OrderEvent) => ({
  order_id: e.orderId,
  warehouse_id: e.warehouseId,
  sku: e.sku,
  quantity: e.quantity,
});
const shipmentColumns = (e: ShipmentEvent) => ({
  shipment_id: e.shipmentId,
  order_id: e.orderId,
  warehouse_id: e.warehouseId,
  carrier: e.carrier,
  exception_code: e.exceptionCode,
});
const auditColumns = (e: AuditEvent) => ({
  actor: e.actor,
  warehouse_id: e.warehouseId,
  sku: e.sku,
  entity: e.entity,
  entity_id: e.entityId,
  field: e.field,
  old_value: e.oldValue,
  new_value: e.newValue,
  quantity_change: e.quantityChange,
  counted_quantity: e.countedQuantity,
  expected_quantity: e.expectedQuantity,
  reference_id: e.referenceId,
  reason_code: e.reasonCode,
});

const ORDERS_SQL = `
WITH input AS (
  SELECT * FROM json_to_recordset(?::json) AS t(event_id uuid, natural_key text, order_id text,
    warehouse_id text, event_type text, sku text, quantity int, occurred_at timestamptz, payload jsonb)
), ins AS (
  INSERT INTO inventory.order_events
    (event_id, natural_key, order_id, warehouse_id, event_type, sku, quantity, occurred_at, payload, source_partition)
  SELECT event_id, natural_key, order_id, warehouse_id, event_type, sku, quantity, occurred_at, payload, ?::int
    FROM input
  ON CONFLICT DO NOTHING
  RETURNING event_id, order_id, warehouse_id, event_type, sku, quantity, occurred_at, payload, source_partition
), orders AS (
  INSERT INTO inventory.orders AS o
    (order_id, warehouse_id, customer_id, created_at, promised_dispatch_at, packed_at, cancelled_at, cancel_reason,
     source_partition)
  SELECT order_id, min(warehouse_id),
         min(payload->>'customerId') FILTER (WHERE event_type = 'ORDER_CREATED'),
         min(occurred_at) FILTER (WHERE event_type = 'ORDER_CREATED'),
         min((payload->>'promisedDispatchAt')::timestamptz) FILTER (WHERE event_type = 'ORDER_CREATED'),
         min(occurred_at) FILTER (WHERE event_type = 'ORDER_PACKED'),
         min(occurred_at) FILTER (WHERE event_type = 'ORDER_CANCELLED'),
         min(payload->>'reason') FILTER (WHERE event_type = 'ORDER_CANCELLED'),
         min(source_partition)
    FROM ins GROUP BY order_id
  ON CONFLICT (order_id) DO UPDATE SET
    customer_id = coalesce(o.customer_id, excluded.customer_id),
    created_at = least(o.created_at, excluded.created_at),
    promised_dispatch_at = coalesce(o.promised_dispatch_at, excluded.promised_dispatch_at),
    packed_at = least(o.packed_at, excluded.packed_at),
    cancelled_at = least(o.cancelled_at, excluded.cancelled_at),
    cancel_reason = coalesce(o.cancel_reason, excluded.cancel_reason),
    source_partition = coalesce(o.source_partition, excluded.source_partition),
    updated_at = now()
), lines AS (
  INSERT INTO inventory.order_lines AS l
    (order_id, sku, warehouse_id, ordered_quantity, reserved_at, reserved_quantity, picked_at, picked_quantity)
  SELECT order_id, sku, min(warehouse_id), max(ordered),
         min(occurred_at) FILTER (WHERE event_type = 'LINE_RESERVED'),
         max(quantity) FILTER (WHERE event_type = 'LINE_RESERVED'),
         min(occurred_at) FILTER (WHERE event_type = 'LINE_PICKED'),
         max(quantity) FILTER (WHERE event_type = 'LINE_PICKED')
    FROM (
      SELECT i.order_id, x.sku, i.warehouse_id, x.quantity AS ordered, NULL::int AS quantity, i.occurred_at, i.event_type
        FROM ins i CROSS JOIN LATERAL jsonb_to_recordset(i.payload->'lines') AS x(sku text, quantity int)
       WHERE i.event_type = 'ORDER_CREATED'
      UNION ALL
      SELECT order_id, sku, warehouse_id, NULL, quantity, occurred_at, event_type
        FROM ins WHERE event_type IN ('LINE_RESERVED', 'LINE_PICKED')
    ) e
   GROUP BY order_id, sku
  ON CONFLICT (order_id, sku) DO UPDATE SET
    ordered_quantity = coalesce(l.ordered_quantity, excluded.ordered_quantity),
    reserved_at = least(l.reserved_at, excluded.reserved_at),
    reserved_quantity = coalesce(l.reserved_quantity, excluded.reserved_quantity),
    picked_at = least(l.picked_at, excluded.picked_at),
    picked_quantity = coalesce(l.picked_quantity, excluded.picked_quantity)
)
SELECT event_id FROM ins`;

const SHIPMENTS_SQL = `
WITH input AS (
  SELECT * FROM json_to_recordset(?::json) AS t(event_id uuid, natural_key text, shipment_id text,
    order_id text, warehouse_id text, carrier text, event_type text, exception_code text,
    occurred_at timestamptz, payload jsonb)
), ins AS (
  INSERT INTO inventory.shipment_events
    (event_id, natural_key, shipment_id, order_id, warehouse_id, carrier, event_type, exception_code,
     occurred_at, payload, source_partition)
  SELECT event_id, natural_key, shipment_id, order_id, warehouse_id, carrier, event_type, exception_code,
         occurred_at, payload, ?::int
    FROM input
  ON CONFLICT DO NOTHING
  RETURNING *
), shipments AS (
  INSERT INTO inventory.shipments AS s
    (shipment_id, order_id, warehouse_id, carrier, dispatched_at, in_transit_at, delivered_at, exceptions,
     last_exception_at, last_exception_code)
  SELECT shipment_id, min(order_id), min(warehouse_id), min(carrier),
         min(occurred_at) FILTER (WHERE event_type = 'DISPATCHED'),
         min(occurred_at) FILTER (WHERE event_type = 'IN_TRANSIT'),
         min(occurred_at) FILTER (WHERE event_type = 'DELIVERED'),
         count(*) FILTER (WHERE event_type = 'EXCEPTION'),
         max(occurred_at) FILTER (WHERE event_type = 'EXCEPTION'),
         (array_agg(exception_code ORDER BY occurred_at DESC) FILTER (WHERE event_type = 'EXCEPTION'))[1]
    FROM ins GROUP BY shipment_id
  ON CONFLICT (shipment_id) DO UPDATE SET
    dispatched_at = least(s.dispatched_at, excluded.dispatched_at),
    in_transit_at = least(s.in_transit_at, excluded.in_transit_at),
    delivered_at = least(s.delivered_at, excluded.delivered_at),
    exceptions = s.exceptions + excluded.exceptions,
    last_exception_code = CASE
      WHEN excluded.last_exception_at IS NOT NULL
           AND (s.last_exception_at IS NULL OR excluded.last_exception_at >= s.last_exception_at)
      THEN excluded.last_exception_code ELSE s.last_exception_code END,
    last_exception_at = greatest(s.last_exception_at, excluded.last_exception_at),
    updated_at = now()
)
SELECT event_id FROM ins`;

const AUDIT_SQL = `
WITH input AS (
  SELECT * FROM json_to_recordset(?::json) AS t(event_id uuid, natural_key text, event_type text, actor text,
    warehouse_id text, sku text, entity text, entity_id text, field text, old_value text, new_value text,
    quantity_change int, counted_quantity int, expected_quantity int, reference_id text, reason_code text,
    occurred_at timestamptz, payload jsonb)
)
INSERT INTO inventory.audit_events
  (event_id, natural_key, event_type, actor, warehouse_id, sku, entity, entity_id, field, old_value, new_value,
   quantity_change, counted_quantity, expected_quantity, reference_id, reason_code, occurred_at, payload,
   source_partition)
SELECT event_id, natural_key, event_type, actor, warehouse_id, sku, entity, entity_id, field, old_value, new_value,
       quantity_change, counted_quantity, expected_quantity, reference_id, reason_code, occurred_at, payload, ?::int
  FROM input
ON CONFLICT DO NOTHING
RETURNING event_id`;

const STATEMENTS: Readonly<Record<FulfilmentStream, string>> = {
  orders: ORDERS_SQL,
  shipments: SHIPMENTS_SQL,
  audit: AUDIT_SQL,
};

/** Events per statement when a bulk load writes them (`insertFulfilmentBatch`). */
const BULK_CHUNK = 5_000;

/**
 * Writes events of any stream (a generated history's), each stream in statements of at most
 * BULK_CHUNK events, with their projections. Returns how many of each stream were new.
 */
export async function insertFulfilmentBatch(
  trx: Knex | Knex.Transaction,
  events: readonly EventOf<FulfilmentStream>[],
): Promise<Record<FulfilmentStream, number>> {
  const written: Record<FulfilmentStream, number> = { orders: 0, shipments: 0, audit: 0 };
  for (const stream of Object.keys(written) as FulfilmentStream[]) {
    const mine = events.filter((e) => e.stream === stream);
    for (let i = 0; i < mine.length; i += BULK_CHUNK) {
      written[stream] += (await insertFulfilmentEvents(trx, stream, mine.slice(i, i + BULK_CHUNK))).size;
    }
  }
  return written;
}
