import { randomUUID } from 'node:crypto';
import type { EventType, InventoryEvent } from '../../inventory/events/index.js';
import type { TestMaster } from './support.js';

/** A small deterministic PRNG (mulberry32), so generated traffic is the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Ordinary warehouse traffic: an opening restock per pair, then mostly small sales with
 * restocks, returns, reservations and the odd adjustment, evenly spread over pairs and time.
 * Stock stays well above zero and no pair bursts, so none of the SPEC §7 rules should fire
 * (given unit_cost 1 and warehouses open around the clock).
 */
export function normalTraffic(
  master: TestMaster,
  count: number,
  options: { start: number; spacingMs: number; seed?: number },
): InventoryEvent[] {
  const rnd = prng(options.seed ?? 42);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pairs = master.skus.flatMap((sku) => master.warehouses.map((warehouseId) => ({ sku, warehouseId })));
  const reserved = new Map<string, number>();
  const events: InventoryEvent[] = [];
  let t = options.start;
  const push = (p: { sku: string; warehouseId: string }, eventType: EventType, quantityChange: number) => {
    events.push({
      eventId: randomUUID(),
      eventType,
      sku: p.sku,
      warehouseId: p.warehouseId,
      quantityChange,
      timestamp: rnd() < 0.5 ? new Date(t).toISOString() : t,
      referenceId: `REF-${events.length}`,
    });
    t += options.spacingMs;
  };
  for (const p of pairs) push(p, 'RESTOCK', 5_000);
  while (events.length < count) {
    const p = pairs[int(0, pairs.length - 1)]!;
    const key = `${p.sku}:${p.warehouseId}`;
    const r = rnd();
    if (r < 0.7) push(p, 'SALE', -int(1, 3));
    else if (r < 0.78) push(p, 'RESTOCK', int(20, 60));
    else if (r < 0.83) push(p, 'RETURN', int(1, 2));
    else if (r < 0.9) {
      const q = int(1, 3);
      reserved.set(key, (reserved.get(key) ?? 0) + q);
      push(p, 'RESERVATION', q);
    } else if (r < 0.95 && (reserved.get(key) ?? 0) > 0) {
      const q = Math.min(reserved.get(key)!, int(1, 2));
      reserved.set(key, reserved.get(key)! - q);
      push(p, 'RESERVATION_RELEASE', -q);
    } else if (r < 0.97) push(p, rnd() < 0.5 ? 'ADJUSTMENT' : 'INVENTORY_UPDATE', rnd() < 0.5 ? -1 : 1);
    else if (r < 0.985) push(p, 'TRANSFER_IN', int(5, 15));
    else push(p, 'TRANSFER_OUT', -int(5, 15));
  }
  return events.slice(0, count);
}

/** Expected on-hand and reserved per pair ("sku:warehouse") from a list of events. */
export function expectedLevels(
  events: readonly InventoryEvent[],
): Map<string, { onHand: number; reserved: number }> {
  const out = new Map<string, { onHand: number; reserved: number }>();
  for (const e of events) {
    const key = `${e.sku}:${e.warehouseId}`;
    const l = out.get(key) ?? { onHand: 0, reserved: 0 };
    if (e.eventType === 'RESERVATION' || e.eventType === 'RESERVATION_RELEASE')
      l.reserved += e.quantityChange;
    else l.onHand += e.quantityChange;
    out.set(key, l);
  }
  return out;
}
