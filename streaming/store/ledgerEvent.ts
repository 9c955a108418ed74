/** One validated, normalised event as the ledger stores it. */
export interface LedgerEvent {
  eventId: string;
  sku: string;
  warehouseId: string;
  eventType: string;
  quantityChange: number;
  occurredAt: Date;
  referenceId: string | null;
  notes: string | null;
}
