import { expect } from 'chai';
import { RESERVATION_TYPES, type InventoryEvent } from '../../../inventory/events/index.js';
import {
  generateMasterData,
  isOpen,
  liveEvents,
  toKafkaMessage,
  type LiveOptions,
} from '../../../inventory/generator/index.js';
import { contractProblems } from './contract.js';

/** A Wednesday, 14:00 UTC: Newark and Frankfurt are open, Singapore has closed for the night. */
const START = '2025-03-12T14:00:00Z';

function take(options: LiveOptions, n: number): InventoryEvent[] {
  const out: InventoryEvent[] = [];
  for (const event of liveEvents(options)) {
    out.push(event);
    if (out.length === n) break;
  }
  return out;
}

describe('generator live events', () => {
  const master = generateMasterData({ seed: 3 });
  const skus = new Set(master.products.map((p) => p.sku));
  const warehouses = new Set(master.warehouses.map((w) => w.warehouse_id));

  it('are the same for the same seed, start and id space, and differ for another seed', () => {
    const a = take({ seed: 3, master, start: START, idSpace: 'x' }, 2_000);
    expect(take({ seed: 3, master, start: START, idSpace: 'x' }, 2_000)).to.deep.equal(a);
    const b = take({ seed: 4, master, start: START, idSpace: 'x' }, 2_000);
    expect(b.map((e) => e.eventId)).to.not.include.members(a.slice(0, 10).map((e) => e.eventId));
  });

  it('never repeat an id when the same seed starts again: the seed fixes the shape, not the ids', () => {
    const first = take({ seed: 3, master, start: START }, 2_000);
    const again = take({ seed: 3, master, start: START }, 2_000);
    // Order references name orders (the order stream's ids): their tag is the id space's.
    const ORDER = /^(ORDER-\d{8})-[0-9A-Z]+$/;
    const withoutId = ({ eventId: _, ...rest }: InventoryEvent) => ({
      ...rest,
      referenceId: rest.referenceId?.replace(ORDER, '$1'),
    });
    expect(again.map(withoutId)).to.deep.equal(first.map(withoutId));
    const seen = new Set(first.map((e) => e.eventId));
    expect(again.filter((e) => seen.has(e.eventId))).to.deep.equal([]);
    const orders = new Set(first.map((e) => e.referenceId).filter((r) => r && ORDER.test(r)));
    expect(orders.size).to.be.greaterThan(10);
    expect(again.filter((e) => orders.has(e.referenceId))).to.deep.equal([]);
  });

  it('follow the SPEC §3 contract, keyed sku:warehouseId, with event time advancing at the rate', () => {
    const events = take({ seed: 3, master, start: START, rate: 50 }, 5_000);
    const bad = events.filter((e) => contractProblems(e, skus, warehouses).length > 0);
    expect(bad.slice(0, 3)).to.deep.equal([]);
    expect(new Set(events.map((e) => e.eventId)).size).to.equal(events.length);
    const times = events.map((e) => Date.parse(e.timestamp as string));
    for (let i = 1; i < times.length; i++)
      if (times[i]! < times[i - 1]!) expect.fail(`time goes back at ${i}`);
    // Event i is stamped start + i / rate.
    const start = Date.parse(START);
    expect(times.filter((t, i) => t !== start + Math.floor((i * 1000) / 50))).to.deep.equal([]);
    const message = toKafkaMessage(events[0]!);
    expect(message.key).to.equal(`${events[0]!.sku}:${events[0]!.warehouseId}`);
    expect(JSON.parse(message.value)).to.deep.equal(events[0]);
  });

  it('never drive a pair below zero or reserve more than it holds, starting from the given levels', () => {
    const levels = master.products.flatMap((p) =>
      master.warehouses.map((w) => ({ sku: p.sku, warehouseId: w.warehouse_id, onHand: 3, reserved: 1 })),
    );
    const events = take({ seed: 3, master, start: START, rate: 100, levels }, 30_000);
    const stock = new Map(levels.map((l) => [`${l.sku}:${l.warehouseId}`, { ...l }]));
    const seen = new Set<string>();
    for (const e of events) {
      const s = stock.get(`${e.sku}:${e.warehouseId}`)!;
      seen.add(e.eventType);
      if (RESERVATION_TYPES.has(e.eventType)) s.reserved += e.quantityChange;
      else s.onHand += e.quantityChange;
      if (s.onHand < 0 || s.reserved < 0 || s.reserved > s.onHand) {
        expect.fail(
          `${e.sku}:${e.warehouseId} after ${e.eventType} ${e.quantityChange}: ${s.onHand}/${s.reserved}`,
        );
      }
    }
    expect([...seen]).to.include.members([
      'SALE',
      'RESTOCK',
      'RETURN',
      'ADJUSTMENT',
      'RESERVATION',
      'RESERVATION_RELEASE',
      'TRANSFER_OUT',
      'TRANSFER_IN',
    ]);
  });

  it('come only from warehouses inside their business hours', () => {
    const events = take({ seed: 3, master, start: START, rate: 0.25 }, 20_000); // about 22 hours of event time
    const byId = new Map(master.warehouses.map((w) => [w.warehouse_id, w]));
    const formats = new Map(
      master.warehouses.map((w) => [
        w.warehouse_id,
        new Intl.DateTimeFormat('en-US', {
          timeZone: w.timezone,
          hourCycle: 'h23',
          weekday: 'short',
          hour: '2-digit',
          minute: '2-digit',
          second: '2-digit',
        }),
      ]),
    );
    const perWarehouse = new Map<string, number>();
    for (const e of events) {
      const parts = Object.fromEntries(
        formats
          .get(e.warehouseId)!
          .formatToParts(new Date(e.timestamp))
          .map((p) => [p.type, p.value]),
      );
      const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday!);
      const second = Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second);
      if (!isOpen(byId.get(e.warehouseId)!, weekday, second))
        expect.fail(`${e.eventType} at ${String(e.timestamp)} in ${e.warehouseId}`);
      perWarehouse.set(e.warehouseId, (perWarehouse.get(e.warehouseId) ?? 0) + 1);
    }
    expect([...perWarehouse.keys()].sort()).to.deep.equal([...warehouses].sort());
  });
});
