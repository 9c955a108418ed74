/**
 * The inventory event contract (SPEC §3): what producers publish on `inventory-events` and what
 * the streaming sidecar accepts. Validation with reasons lives in streaming/; this file holds
 * the shared vocabulary.
 */

export const EVENT_TYPES = [
  'SALE',
  'RESTOCK',
  'RETURN',
  'ADJUSTMENT',
  'TRANSFER_IN',
  'TRANSFER_OUT',
  'RESERVATION',
  'RESERVATION_RELEASE',
  'INVENTORY_UPDATE',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** The sign a quantity change must have for each event type: -1, +1, or 0 for "any non-zero". */
export const REQUIRED_SIGN: Readonly<Record<EventType, -1 | 0 | 1>> = {
  SALE: -1,
  RESTOCK: 1,
  RETURN: 1,
  ADJUSTMENT: 0,
  TRANSFER_IN: 1,
  TRANSFER_OUT: -1,
  RESERVATION: 1,
  RESERVATION_RELEASE: -1,
  INVENTORY_UPDATE: 0,
};

/** Event types whose change applies to `quantity_reserved` instead of `quantity_on_hand`. */
export const RESERVATION_TYPES: ReadonlySet<EventType> = new Set(['RESERVATION', 'RESERVATION_RELEASE']);

/** Largest accepted |quantityChange|. */
export const MAX_ABS_QUANTITY = 1_000_000;

/** An event as it travels on the wire (JSON). */
export interface InventoryEvent {
  eventId: string;
  eventType: EventType;
  sku: string;
  warehouseId: string;
  quantityChange: number;
  /** ISO-8601 with zone, or epoch milliseconds. */
  timestamp: string | number;
  referenceId?: string;
  notes?: string;
}

/** Whether `quantityChange` has the sign its event type requires (zero is never valid). */
export function hasValidSign(eventType: EventType, quantityChange: number): boolean {
  if (!Number.isInteger(quantityChange) || quantityChange === 0) return false;
  const sign = REQUIRED_SIGN[eventType];
  return sign === 0 || Math.sign(quantityChange) === sign;
}

/** The Kafka message key of an event: `sku:warehouseId`. */
export function eventKey(event: Pick<InventoryEvent, 'sku' | 'warehouseId'>): string {
  return `${event.sku}:${event.warehouseId}`;
}
