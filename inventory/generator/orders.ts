/**
 * The open-order feed of a generated history (inventory.purchase_orders): every supplier purchase
 * order and every transfer a pair's replenishment places, as the ERP would list it. The ledger
 * only shows their receipts (RESTOCK / TRANSFER_IN rows with the same reference), so without
 * these rows a pair that has just reordered looks as if nothing were coming.
 *
 * Orders are placed at the end of the pair's local day (the last millisecond of it), after that
 * day's ledger rows; one placed at or after the end of the window did not happen. Building them
 * draws nothing from the random stream, so the ledger of a seed is the same with or without them.
 */
import { DAY_MS, type ZoneClock } from './zone.js';

/** What placing an order needs to know of a pair (a `Pair` of pair.ts). */
interface OrderingPair {
  product: { sku: string };
  site: { clock: ZoneClock; firstDay: number };
  warehouseId: string;
}

/** A row of inventory.purchase_orders (order_id is left to the database). */
export interface OrderRow {
  kind: 'purchase' | 'transfer';
  reference_id: string;
  sku: string;
  /** The receiving warehouse. */
  warehouse_id: string;
  /** The sending warehouse of a transfer; null for a purchase order. */
  source_warehouse_id: string | null;
  quantity: number;
  ordered_at: Date;
  expected_at: Date;
  /** Set when a transfer could not be sent (the sister warehouse no longer had the stock). */
  cancelled_at: Date | null;
}

/** Days a transfer is expected to take from its order: picked the next day, 2–3 days on the road. */
const TRANSFER_DAYS = 4;

/**
 * The order `pair` places at the end of its simulation day `k`, arriving on day `arrivalDay`
 * (a purchase) or in about `TRANSFER_DAYS` (a transfer from `source`); undefined when the end of
 * day `k` is not before `toMs`.
 */
export function placeOrder(
  pair: OrderingPair,
  k: number,
  toMs: number,
  order: { reference: string; quantity: number; arrivalDay?: number; source?: OrderingPair },
): OrderRow | undefined {
  const { clock, firstDay } = pair.site;
  const orderedAt = clock.toUtc((firstDay + k + 1) * DAY_MS) - 1;
  if (orderedAt >= toMs) return undefined;
  const arrival = order.arrivalDay ?? k + TRANSFER_DAYS;
  return {
    kind: order.source ? 'transfer' : 'purchase',
    reference_id: order.reference,
    sku: pair.product.sku,
    warehouse_id: pair.warehouseId,
    source_warehouse_id: order.source?.warehouseId ?? null,
    quantity: order.quantity,
    ordered_at: new Date(orderedAt),
    expected_at: new Date(Math.max(orderedAt, clock.toUtc((firstDay + arrival) * DAY_MS))),
    cancelled_at: null,
  };
}
