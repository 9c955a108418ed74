import { expect } from 'chai';
import { RESERVATION_TYPES, type InventoryEvent } from '../../../inventory/events/index.js';
import {
  LIVE_INCIDENT_TYPES,
  eventsPerDay,
  generateMasterData,
  isInjected,
  isOpen,
  liveEvents,
  naturalRate,
  type LiveOptions,
} from '../../../inventory/generator/index.js';
import type { IncidentLabel } from '../../../inventory/generator/index.js';
import { ANOMALY_RULES } from '../../../inventory/rules/index.js';

/** A Friday, 14:00 UTC: three simulated days run through a weekend Frankfurt is closed. */
const START = '2025-03-14T14:00:00Z';

describe('generator live incidents (--inject-anomalies on the live stream)', () => {
  const master = generateMasterData({ seed: 5, skus: 60, warehouses: 3 });
  const rate = naturalRate(master);
  const days = 3;

  function run(options: Partial<LiveOptions>) {
    const events: InventoryEvent[] = [];
    const injected: InventoryEvent[] = [];
    const n = Math.round(days * eventsPerDay(master));
    let ordinary = 0;
    for (const e of liveEvents({ seed: 5, master, start: START, rate, idSpace: 'spec', ...options })) {
      events.push(e);
      if (isInjected(e)) injected.push(e);
      else if (++ordinary === n) break;
    }
    return { events, injected };
  }

  const labels: IncidentLabel[] = [];
  const { events, injected } = run({ injectAnomalies: { rate: 6, onLabel: (l) => labels.push(l) } });
  const byId = new Map(events.map((e) => [e.eventId, e]));
  const product = new Map(master.products.map((p) => [p.sku, p]));
  const site = new Map(master.warehouses.map((w) => [w.warehouse_id, w]));

  it('injects and labels every live type, each label on its own pair and inside the stream', () => {
    const types = new Set(labels.map((l) => l.type));
    expect([...types].sort()).to.deep.equal([...LIVE_INCIDENT_TYPES].sort());
    const first = Date.parse(events[0]!.timestamp as string);
    const last = Date.parse(events.at(-1)!.timestamp as string);
    for (const l of labels) {
      expect(l.start.getTime()).to.be.within(first, last);
      expect(l.end!.getTime()).to.be.within(l.start.getTime(), last);
      expect(product.has(l.sku!) && site.has(l.warehouse_id)).to.equal(true);
    }
  });

  it('rides along off the rate: the ordinary stream keeps its count and pace', () => {
    expect(injected.length).to.be.greaterThan(labels.length);
    expect(events.length - injected.length).to.equal(Math.round(days * eventsPerDay(master)));
  });

  it('shapes each incident as its rule defines it', () => {
    for (const l of labels) {
      const e = typeof l.detail.event_id === 'string' ? byId.get(l.detail.event_id) : undefined;
      switch (l.type) {
        case 'HIGH_VALUE':
          expect(e!.quantityChange * product.get(e!.sku)!.unit_cost).to.be.above(ANOMALY_RULES.highValue);
          break;
        case 'AFTER_HOURS':
        case 'WEEKEND_ACTIVITY': {
          const w = site.get(e!.warehouseId)!;
          const local = new Date(
            new Date(e!.timestamp as string).toLocaleString('en-US', { timeZone: w.timezone }) + ' UTC',
          );
          const second = local.getUTCHours() * 3600 + local.getUTCMinutes() * 60 + local.getUTCSeconds();
          expect(isOpen(w, local.getUTCDay(), second), `${l.type} at ${w.warehouse_id}`).to.equal(false);
          if (l.type === 'WEEKEND_ACTIVITY') expect([0, 6]).to.include(local.getUTCDay());
          break;
        }
        case 'FREQUENCY_SPIKE': {
          const burst = events.filter((x) => x.referenceId === l.detail.reference);
          expect(burst.length).to.equal(l.detail.events).and.to.be.at.least(12);
          expect(new Set(burst.map((x) => x.timestamp)).size).to.equal(1);
          break;
        }
        case 'RAPID_DEPLETION':
          expect(l.detail.share as number).to.be.above(0.5);
          expect(l.end!.getTime() - l.start.getTime()).to.be.at.most(50 * 60_000);
          break;
        case 'DQ_DUPLICATE_TRANSACTIONS': {
          const original = byId.get(l.detail.duplicate_of as string)!;
          const { eventId: _a, ...a } = original;
          const { eventId: _b, ...b } = e!;
          expect(b).to.deep.equal(a);
          break;
        }
        default:
          expect(e, l.type).to.not.equal(undefined);
      }
    }
  });

  it('keeps every pair stocked: on-hand never below zero, reserved never above on-hand', () => {
    const levels = master.products.flatMap((p) =>
      master.warehouses.map((w) => ({ sku: p.sku, warehouseId: w.warehouse_id, onHand: 150, reserved: 0 })),
    );
    const level = new Map(levels.map((l) => [`${l.sku}:${l.warehouseId}`, { ...l }]));
    const stocked = run({ levels, injectAnomalies: { rate: 6 } });
    expect(stocked.injected.length).to.be.greaterThan(100);
    let lowestOnHand = Infinity;
    let mostOverReserved = -Infinity;
    for (const e of stocked.events) {
      const l = level.get(`${e.sku}:${e.warehouseId}`)!;
      if (RESERVATION_TYPES.has(e.eventType)) l.reserved += e.quantityChange;
      else l.onHand += e.quantityChange;
      lowestOnHand = Math.min(lowestOnHand, l.onHand);
      if (e.eventType !== 'RESERVATION_RELEASE')
        mostOverReserved = Math.max(mostOverReserved, l.reserved - l.onHand);
    }
    expect(lowestOnHand).to.be.at.least(0);
    expect(mostOverReserved).to.be.at.most(0);
  });

  it('starts its opening incidents with the first events, then only at the rate', () => {
    const opened: IncidentLabel[] = [];
    const quiet: IncidentLabel[] = [];
    const hour = 3_600_000;
    const start = Date.parse(START);
    run({ injectAnomalies: { rate: 0.01, openWith: 3, onLabel: (l) => opened.push(l) } });
    run({ injectAnomalies: { rate: 0.01, onLabel: (l) => quiet.push(l) } });
    // At a rate that starts about one incident in the three days, the three openers start within
    // the stream's first minutes (one per ordinary event), each on its own pair.
    const early = opened.filter((l) => l.start.getTime() < start + 0.1 * hour);
    expect(early).to.have.length(3);
    expect(new Set(early.map((l) => `${l.sku}:${l.warehouse_id}`)).size).to.equal(3);
    expect(quiet.filter((l) => l.start.getTime() < start + 0.1 * hour)).to.have.length(0);
    expect(quiet.length).to.be.at.most(2);
  });

  it('changes nothing at rate 0', () => {
    const none = run({ injectAnomalies: { rate: 0 } });
    const plain = run({});
    expect(none.injected).to.have.length(0);
    expect(none.events).to.deep.equal(plain.events);
  });
});
