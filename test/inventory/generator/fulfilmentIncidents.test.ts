import { createHash } from 'node:crypto';
import { expect } from 'chai';
import {
  DEFAULT_AUDIT_POLICY,
  auditBreach,
  type AuditEvent,
  type FulfilmentEvent,
} from '../../../inventory/fulfilment/index.js';
import {
  generateHistory,
  generateMasterData,
  liveEvents,
  naturalRate,
  type IncidentLabel,
  type MasterData,
} from '../../../inventory/generator/index.js';
import { FulfilmentFeed } from '../../../inventory/generator/fulfilmentFeed.js';
import { Rng } from '../../../inventory/generator/random.js';

const DAY = 86_400_000;
const TO = Date.parse('2026-01-01T00:00:00Z');
const DAYS = 180;
const RATE = 0.5;

interface Generated {
  events: FulfilmentEvent[];
  labels: IncidentLabel[];
}

function generate(master: MasterData, rate: number, seed = 5): Generated {
  const out: Generated = { events: [], labels: [] };
  for (const b of generateHistory({ seed, master, from: TO - DAYS * DAY, to: TO, injectAnomalies: rate })) {
    out.events.push(...b.fulfilment);
    out.labels.push(...b.labels);
  }
  return out;
}

/**
 * Each order's promise and first dispatch, from the events; backorders (no stock held: they wait
 * for stock, not for the pickers, LABELS.md) are left out.
 */
function dispatches(events: readonly FulfilmentEvent[]) {
  const orders = new Map<string, { promise: number; dispatched: number | null; cancelled: boolean }>();
  const reserved = new Set(
    events.flatMap((e) => (e.stream === 'orders' && e.eventType === 'LINE_RESERVED' ? [e.orderId] : [])),
  );
  for (const e of events)
    if (
      e.stream === 'orders' &&
      e.eventType === 'ORDER_CREATED' &&
      e.promisedDispatchAt &&
      reserved.has(e.orderId)
    )
      orders.set(e.orderId, { promise: e.promisedDispatchAt.getTime(), dispatched: null, cancelled: false });
  for (const e of events) {
    if (e.stream === 'audit') continue;
    const o = orders.get(e.orderId);
    if (!o) continue;
    if (e.stream === 'shipments' && e.eventType === 'DISPATCHED') o.dispatched = e.occurredAt.getTime();
    if (e.stream === 'orders' && e.eventType === 'ORDER_CANCELLED') o.cancelled = true;
  }
  return orders;
}

function breaches(master: MasterData, events: readonly FulfilmentEvent[]): AuditEvent[] {
  const cost = new Map(master.products.map((p) => [p.sku, p.unit_cost]));
  const zone = new Map(master.warehouses.map((w) => [w.warehouse_id, w.timezone]));
  return events.filter(
    (e): e is AuditEvent =>
      e.stream === 'audit' &&
      auditBreach(
        e,
        { unitCost: cost.get(e.sku ?? '') ?? null, timezone: zone.get(e.warehouseId ?? '') ?? null },
        DEFAULT_AUDIT_POLICY,
      ) !== null,
  );
}

const digest = (x: unknown) => createHash('sha1').update(JSON.stringify(x)).digest('hex');

/** The order, shipment and audit incidents of a generated history (LABELS.md), and its ordinary traffic. */
describe('generator: late dispatches, shipment exceptions and audit-policy breaches', function () {
  this.timeout(300_000);
  const master = generateMasterData({ seed: 5, skus: 20, warehouses: 3 });
  let clean: Generated;
  let labelled: Generated;

  before(function () {
    clean = generate(master, 0);
    labelled = generate(master, RATE);
  });

  it('keeps ordinary traffic on time and inside the audit policy, with no exception: nothing to label', function () {
    const orders = dispatches(clean.events);
    expect(orders.size).to.be.greaterThan(500);
    const late = [...orders.values()].filter((o) => o.dispatched !== null && o.dispatched > o.promise);
    expect(late, 'orders dispatched after their promise').to.have.length(0);
    expect(clean.events.filter((e) => e.eventType === 'EXCEPTION')).to.have.length(0);
    expect(breaches(master, clean.events), 'audit events outside the policy').to.have.length(0);
    const types = new Set(clean.labels.map((l) => l.type));
    for (const t of ['LATE_DISPATCH', 'SHIPMENT_EXCEPTION', 'AUDIT_POLICY'])
      expect(types.has(t as never), t).to.equal(false);
  });

  it('labels every order that really left after its promise, and only those', function () {
    const orders = dispatches(labelled.events);
    const late = new Map(
      [...orders].filter(([, o]) => !o.cancelled && o.promise < TO && (o.dispatched ?? Infinity) > o.promise),
    );
    const labels = labelled.labels.filter((l) => l.type === 'LATE_DISPATCH');
    expect(labels.length, 'late orders (pick stoppages)').to.be.greaterThan(5);
    expect(new Set(labels.map((l) => l.detail.subject))).to.deep.equal(new Set(late.keys()));
    // Orders of one pair and day share their promise; each label is still an incident of its own.
    const ids = labelled.labels.map((l) => l.incident_id);
    expect(new Set(ids).size).to.equal(ids.length);
    expect(new Set(labels.map((l) => `${l.sku}:${l.warehouse_id}:${l.start.getTime()}`)).size).to.be.below(
      labels.length,
    );
    for (const l of labels) {
      const o = late.get(l.detail.subject as string)!;
      expect(l.start.getTime()).to.equal(o.promise);
      expect(l.end?.getTime() ?? null).to.equal(o.dispatched);
      expect(Date.parse(l.detail.created_at as string)).to.be.below(o.promise);
    }
  });

  it('labels each injected shipment exception at its EXCEPTION event, over when the parcel is delivered', function () {
    const exceptions = new Map(
      labelled.events.filter((e) => e.eventType === 'EXCEPTION').map((e) => [e.eventId, e]),
    );
    const labels = labelled.labels.filter((l) => l.type === 'SHIPMENT_EXCEPTION');
    expect(labels.length).to.equal(exceptions.size);
    // About RATE per pair and 30 days (a pair that ships little cannot reach its share).
    const expected = (RATE * master.products.length * master.warehouses.length * DAYS) / 30;
    expect(labels.length / expected).to.be.within(0.3, 1.3);
    for (const l of labels) {
      const e = [...exceptions.values()].find(
        (x) =>
          x.stream === 'shipments' &&
          x.shipmentId === l.detail.subject &&
          x.occurredAt.getTime() === l.start.getTime(),
      );
      expect(e, String(l.detail.subject)).to.not.equal(undefined);
      const delivered = labelled.events.find(
        (x) => x.stream === 'shipments' && x.shipmentId === l.detail.subject && x.eventType === 'DELIVERED',
      );
      expect(l.end?.getTime() ?? null).to.equal(delivered?.occurredAt.getTime() ?? null);
      if (l.detail.exception_code === 'LOST') expect(l.end).to.equal(null);
    }
  });

  it('labels each audit event outside the policy — a large count correction or a night edit — and nothing else breaks it', function () {
    const found = breaches(master, labelled.events);
    const labels = labelled.labels.filter((l) => l.type === 'AUDIT_POLICY');
    expect(labels.length).to.be.greaterThan(10);
    expect(new Set(labels.map((l) => l.detail.kind))).to.deep.equal(new Set(['adjustment', 'night_edit']));
    const key = (subject: unknown, at: number) => `${String(subject)}@${at}`;
    expect(new Set(labels.map((l) => key(l.detail.subject, l.start.getTime())))).to.deep.equal(
      new Set(found.map((e) => key(`${e.entity}:${e.entityId}`, e.occurredAt.getTime()))),
    );
  });

  it('is the same for the same seed, and another for another seed', function () {
    const again = generate(master, RATE);
    expect(digest(again.labels)).to.equal(digest(labelled.labels));
    expect(digest(again.events)).to.equal(digest(labelled.events));
    expect(digest(generate(master, RATE, 6).labels)).to.not.equal(digest(labelled.labels));
  });
});

describe('live feed: exceptions and night edits drawn by the feed, labelled as they happen', function () {
  this.timeout(120_000);

  it('writes each injected exception and night edit with its label, and keeps every promise of ordinary trade', function () {
    const master = generateMasterData({ seed: 9, skus: 6, warehouses: 2 });
    const labels: IncidentLabel[] = [];
    const feed = new FulfilmentFeed(new Rng(9, 'fulfilment', 'spec'), {
      master,
      incidents: { seed: 9, rate: 30, nightEdits: true, onLabel: (l) => labels.push(l) },
    });
    const start = Date.parse('2026-03-02T00:00:00Z');
    const until = start + 8 * DAY;
    const events: FulfilmentEvent[] = [];
    for (const e of liveEvents({ seed: 9, idSpace: 'spec', master, start, rate: naturalRate(master) })) {
      const at = Date.parse(String(e.timestamp));
      if (at >= until) break;
      feed.observe({ ...e, at, reference: e.referenceId ?? null, notes: e.notes ?? null });
      events.push(...feed.drain(at));
    }
    const edits = labels.filter((l) => l.type === 'AUDIT_POLICY');
    const exceptions = labels.filter((l) => l.type === 'SHIPMENT_EXCEPTION' && l.start.getTime() < until);
    expect(edits.length, 'night edits').to.be.greaterThan(3);
    expect(exceptions.length, 'exceptions').to.be.greaterThan(0);
    const broken = breaches(master, events);
    for (const l of edits.filter((x) => x.start.getTime() < until - DAY))
      expect(
        broken.some(
          (e) =>
            `${e.entity}:${e.entityId}` === l.detail.subject && e.occurredAt.getTime() === l.start.getTime(),
        ),
        String(l.detail.subject),
      ).to.equal(true);
    for (const l of exceptions)
      expect(
        events.some(
          (e) => e.stream === 'shipments' && e.eventType === 'EXCEPTION' && e.shipmentId === l.detail.subject,
        ),
      ).to.equal(true);
    const orders = dispatches(events);
    expect(
      [...orders.values()].filter((o) => o.dispatched !== null && o.dispatched > o.promise),
    ).to.have.length(0);
    expect(labels.filter((l) => l.type === 'LATE_DISPATCH')).to.have.length(0);
  });
});
