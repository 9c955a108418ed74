/**
 * The bare pipeline's write of an order, shipment or audit batch (the mixed streaming bench's
 * limit): each message's columns taken as they come (the generator's wire form is already
 * normalised) and inserted into the stream's event table of a database migrated like the
 * sidecar's, repeats skipped. No validation, master data, projections, repeat settling or DLQ:
 * everything the sidecar does beyond this is its overhead.
 */
import type { Knex } from 'knex';
import { EVENT_TABLES, type FulfilmentStream } from '../inventory/fulfilment/index.js';

type Wire = Record<string, unknown> & { eventId: string; eventType: string; timestamp: string | number };

const COLUMNS: Record<FulfilmentStream, string> = {
  orders: `order_id text, warehouse_id text, sku text, quantity int`,
  shipments: `shipment_id text, order_id text, warehouse_id text, carrier text, exception_code text`,
  audit: `actor text, warehouse_id text, sku text, entity text, entity_id text, field text, old_value text,
    new_value text, quantity_change int, counted_quantity int, expected_quantity int, reference_id text,
    reason_code text`,
};

const text = (v: unknown) => (v === undefined || v === null ? null : String(v));

/** The columns of one wire message (CONTRACT.md §2: its natural key as the contract defines it). */
function rowOf(stream: FulfilmentStream, w: Wire): Record<string, unknown> {
  const at = new Date(w.timestamp);
  const common = {
    event_id: w.eventId,
    event_type: w.eventType,
    occurred_at: at.toISOString(),
    payload: w,
  };
  switch (stream) {
    case 'orders':
      return {
        ...common,
        natural_key: `${text(w.orderId)}|${w.eventType}|${text(w.sku) ?? ''}`,
        order_id: w.orderId,
        warehouse_id: w.warehouseId,
        sku: w.sku ?? null,
        quantity: w.quantity ?? null,
      };
    case 'shipments':
      return {
        ...common,
        natural_key: `${text(w.shipmentId)}|${w.eventType}|${at.getTime()}`,
        shipment_id: w.shipmentId,
        order_id: w.orderId,
        warehouse_id: w.warehouseId,
        carrier: w.carrier,
        exception_code: w.exceptionCode ?? null,
      };
    case 'audit': {
      const stock = w.entity === undefined;
      const entity = stock ? 'stock' : text(w.entity);
      const entityId = stock ? `${text(w.sku)}:${text(w.warehouseId)}` : text(w.entityId);
      return {
        ...common,
        natural_key: `${w.eventType}|${entity}|${entityId}|${text(w.field) ?? ''}|${text(w.actor)}|${at.getTime()}`,
        actor: w.actor,
        warehouse_id: w.warehouseId ?? null,
        sku: w.sku ?? null,
        entity,
        entity_id: entityId,
        field: w.field ?? null,
        old_value: text(w.oldValue),
        new_value: text(w.newValue),
        quantity_change: w.quantityChange ?? null,
        counted_quantity: w.countedQuantity ?? null,
        expected_quantity: w.expectedQuantity ?? null,
        reference_id: w.referenceId ?? null,
        reason_code: w.reasonCode ?? null,
      };
    }
  }
}

/** Inserts one batch of `stream` (message values as published) into its event table. */
export async function insertBareFulfilment(
  trx: Knex.Transaction,
  stream: FulfilmentStream,
  values: ReadonlyArray<Buffer | null>,
  partition: number,
): Promise<void> {
  const rows = values.flatMap((v) => (v ? [rowOf(stream, JSON.parse(v.toString()) as Wire)] : []));
  if (rows.length === 0) return;
  const columns = `event_id uuid, natural_key text, event_type text, occurred_at timestamptz, payload jsonb, ${COLUMNS[stream]}`;
  const names = columns
    .split(',')
    .map((c) => c.trim().split(/\s+/)[0])
    .join(', ');
  await trx.raw(
    `INSERT INTO ${EVENT_TABLES[stream]} (${names}, source_partition)
     SELECT ${names}, ?::int FROM json_to_recordset(?::json) AS t(${columns})
     ON CONFLICT DO NOTHING`,
    [partition, JSON.stringify(rows)],
  );
}
