import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { PARTITION_SKEW_MS } from '../../streaming/pipeline/index.js';
import { fulfilmentSidecar } from './support.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MINUTE = 60_000;

/**
 * The fulfilment alerts (inventory/fulfilment/CONTRACT.md §10) through the sidecar on the
 * in-memory broker: each opens once, stays one incident while its condition holds, and resolves
 * by itself — in event time, so the specs place their events in the last days.
 */
describe('fulfilment alerts: late dispatch, shipment exception, audit policy', function () {
  this.timeout(60_000);
  const f = fulfilmentSidecar({ master: { skus: 3, warehouses: 4, unitCost: 100 } });
  const { B, at, send, alertsOf } = f;
  const published = async () =>
    (await f.broker.readTopic(f.topics.alerts)).map(
      (r) => JSON.parse(r.value!.toString()) as Record<string, unknown>,
    );

  const order = (id: string, warehouseId: string, type: string, time: number, extra: object = {}) => ({
    eventId: randomUUID(),
    eventType: type,
    orderId: id,
    warehouseId,
    timestamp: at(time),
    ...extra,
  });
  /** An order created and reserved at `created`, one line per SKU given, promised at `promised`. */
  const queued = (
    id: string,
    warehouseId: string,
    created: number,
    promised: number,
    skus = [f.m.skus[0]!],
  ) => [
    order(id, warehouseId, 'ORDER_CREATED', created, {
      lines: skus.map((sku) => ({ sku, quantity: 1 })),
      promisedDispatchAt: at(promised),
    }),
    ...skus.map((sku) => order(id, warehouseId, 'LINE_RESERVED', created, { sku, quantity: 1 })),
  ];
  /**
   * A week of trade before B: 42 orders, one picked every 4 hours up to an hour before B (and
   * packed an hour later), so the warehouse has a week's history and picked 2 lines in the last 8
   * working hours (it works around the clock): 0.25 lines an hour.
   */
  const history = (warehouseId: string, tag: string) =>
    Array.from({ length: 42 }, (_, i) => {
      const id = `ORDER-${f.m.prefix}-${tag}-H${i}`;
      const picked = B - HOUR - i * 4 * HOUR;
      return [
        ...queued(id, warehouseId, picked - 2 * HOUR, picked + 3 * DAY),
        order(id, warehouseId, 'LINE_PICKED', picked, { sku: f.m.skus[0]!, quantity: 1 }),
        order(id, warehouseId, 'ORDER_PACKED', picked + HOUR),
      ];
    }).flat();
  const dispatched = (id: string, warehouseId: string, time: number) => ({
    eventId: randomUUID(),
    eventType: 'DISPATCHED',
    shipmentId: `SHP-${id.slice('ORDER-'.length)}`,
    orderId: id,
    warehouseId,
    carrier: 'DHL',
    timestamp: at(time),
  });
  /**
   * Orders of another warehouse (their own queue, no trade), and their dispatches: the chunks they
   * land in move the event time of every partition of both topics, which re-evaluates the
   * partition's open orders and moves the fulfilment watermark (80 orders leave none of the six
   * partitions without one but once in millions). `shipments: false` leaves the shipment
   * consumer behind.
   */
  const tick = async (time: number, { shipments = true } = {}) => {
    const ids = Array.from({ length: 80 }, () => `ORDER-${f.m.prefix}-T${randomUUID().slice(0, 8)}`);
    await send(
      'orders',
      ids.map((id) =>
        order(id, f.m.warehouses[3]!, 'ORDER_CREATED', time, {
          lines: [{ sku: f.m.skus[2]!, quantity: 1 }],
          promisedDispatchAt: at(time + 10 * DAY),
        }),
      ),
    );
    if (shipments)
      await send(
        'shipments',
        ids.map((id) => dispatched(id, f.m.warehouses[3]!, time)),
      );
  };

  it('opens a late-dispatch risk for the orders the queue cannot reach by their promise, escalates one when the promise passes, and resolves it on dispatch', async function () {
    const wh = f.m.warehouses[0]!;
    await send('orders', history(wh, 'A'));
    // Six orders promised 6 h after B. At 0.25 lines an hour the n-th line is picked 4n hours on:
    // Q1 two hours early (no alert), Q2 two hours late (within the margin: no alert), Q3 to Q6
    // (its two lines after five) six hours late or more: at risk.
    const q = (n: number) => `ORDER-${f.m.prefix}-A-Q${n}`;
    await send('orders', [
      ...[1, 2, 3, 4, 5].flatMap((n) => queued(q(n), wh, B, B + 6 * HOUR)),
      ...queued(q(6), wh, B, B + 6 * HOUR, [f.m.skus[0]!, f.m.skus[1]!]),
    ]);
    // Partitions apply their chunks one after another, so the first saw only part of the queue;
    // each re-judges its orders in its next chunk, with the whole queue in the database.
    await tick(B);
    const [risk] = await alertsOf('LATE_DISPATCH_RISK', q(6));
    expect(risk, 'the sixth order is at risk').to.include({
      severity: 'medium',
      subject_type: 'order',
      warehouse_id: wh,
      sku: null,
      resolved_at: null,
    });
    expect(risk!.opened_at.getTime()).to.equal(B);
    expect(risk!.message).to.match(/will likely miss its promised dispatch.*7 lines in the pick queue/);
    expect(risk!.details).to.include({ linesAhead: 7, picksPerHour: 0.25 });
    for (const n of [3, 4, 5]) expect(await alertsOf('LATE_DISPATCH_RISK', q(n)), q(n)).to.have.length(1);
    for (const n of [1, 2]) expect(await alertsOf('LATE_DISPATCH_RISK', q(n)), q(n)).to.have.length(0);

    // Time passes with nothing picked: still one incident, re-judged in each chunk.
    await tick(B + 2 * HOUR);
    await tick(B + 4 * HOUR);
    const still = await alertsOf('LATE_DISPATCH_RISK', q(6));
    expect(still).to.have.length(1);
    expect(still[0]).to.include({ severity: 'medium', resolved_at: null });
    expect(still[0]!.occurrences).to.be.at.least(2);

    // The promise passes and the order has not left: the same incident, escalated (news, mailed).
    await tick(B + 7 * HOUR);
    const late = await alertsOf('LATE_DISPATCH_RISK', q(6));
    expect(late).to.have.length(1);
    expect(late[0]).to.include({ severity: 'high', alert_id: risk!.alert_id, resolved_at: null });
    expect(late[0]!.message).to.match(/missed its promised dispatch/);
    const news = (await published()).filter((a) => a.subjectId === q(6));
    expect(news.map((a) => a.change)).to.deep.equal(['opened', 'escalated']);
    expect(news.every((a) => a.alertId === risk!.alert_id && a.subjectType === 'order')).to.equal(true);

    // Picked and packed after its promise: still late until it leaves; the dispatch resolves it.
    await send('orders', [
      order(q(6), wh, 'LINE_PICKED', B + 8 * HOUR, { sku: f.m.skus[0]!, quantity: 1 }),
      order(q(6), wh, 'LINE_PICKED', B + 8 * HOUR, { sku: f.m.skus[1]!, quantity: 1 }),
      order(q(6), wh, 'ORDER_PACKED', B + 9 * HOUR),
    ]);
    expect((await alertsOf('LATE_DISPATCH_RISK', q(6)))[0]!.resolved_at).to.equal(null);
    await send('shipments', [
      {
        eventId: randomUUID(),
        eventType: 'DISPATCHED',
        shipmentId: `SHP-${f.m.prefix}-A6`,
        orderId: q(6),
        warehouseId: wh,
        carrier: 'DHL',
        timestamp: at(B + 10 * HOUR),
      },
    ]);
    const done = await alertsOf('LATE_DISPATCH_RISK', q(6));
    expect(done).to.have.length(1);
    expect(done[0]).to.include({ resolution: 'dispatched' });
    expect(done[0]!.resolved_at!.getTime()).to.equal(B + 10 * HOUR);
  });

  it('clears a late-dispatch risk when the queue ahead of it moves, and resolves one whose order is cancelled', async function () {
    const wh = f.m.warehouses[1]!;
    await send('orders', history(wh, 'B'));
    const q = (n: number) => `ORDER-${f.m.prefix}-B-Q${n}`;
    // Q0 was promised an hour before B and is still in the queue: late at once (high).
    await send('orders', [
      ...queued(q(0), wh, B - 3 * HOUR, B - HOUR),
      ...[1, 2, 3, 4, 5].flatMap((n) => queued(q(n), wh, B, B + 6 * HOUR)),
      ...queued(q(6), wh, B, B + 6 * HOUR, [f.m.skus[0]!, f.m.skus[1]!]),
    ]);
    await tick(B);
    expect((await alertsOf('LATE_DISPATCH_RISK', q(0)))[0]).to.include({
      severity: 'high',
      resolved_at: null,
    });
    expect((await alertsOf('LATE_DISPATCH_RISK', q(6)))[0]).to.include({
      severity: 'medium',
      resolved_at: null,
    });

    await send('orders', [
      order(q(0), wh, 'ORDER_CANCELLED', B + HOUR / 2, { reason: 'customer' }),
      ...[1, 2, 3, 4, 5].map((n) =>
        order(q(n), wh, 'LINE_PICKED', B + HOUR, { sku: f.m.skus[0]!, quantity: 1 }),
      ),
    ]);
    const cancelled = await alertsOf('LATE_DISPATCH_RISK', q(0));
    expect(cancelled[0]).to.include({ resolution: 'cancelled' });
    expect(cancelled[0]!.resolved_at!.getTime()).to.equal(B + HOUR / 2);

    // Seven lines in the last 8 hours now, and Q6's two lines left: ready in about 2.3 hours,
    // more than two hours before its promise — cleared, as are the others, picked already.
    await tick(B + 1.5 * HOUR);
    for (const n of [2, 3, 4, 5, 6]) {
      const rows = await alertsOf('LATE_DISPATCH_RISK', q(n));
      expect(rows, q(n)).to.have.length(1);
      expect(rows[0], q(n)).to.include({ resolution: 'cleared' });
    }
    expect(await alertsOf('LATE_DISPATCH_RISK', q(1))).to.have.length(0);
  });

  it('opens a late-dispatch alert for an order packed in time but still not dispatched a few minutes after its promise', async function () {
    const wh = f.m.warehouses[1]!;
    const id = `ORDER-${f.m.prefix}-C1`;
    await send('orders', [
      ...queued(id, wh, B + 12 * HOUR - 5 * HOUR, B + 12 * HOUR + HOUR),
      order(id, wh, 'LINE_PICKED', B + 12 * HOUR - 4 * HOUR, { sku: f.m.skus[0]!, quantity: 1 }),
      order(id, wh, 'ORDER_PACKED', B + 12 * HOUR - 3 * HOUR),
    ]);
    // Packed, it has left the pick queue: nothing to forecast, and its promise is still ahead…
    await tick(B + 12 * HOUR + HOUR / 2);
    expect(await alertsOf('LATE_DISPATCH_RISK', id)).to.have.length(0);
    // …ten minutes after it, both topics applied to then: late, whichever partition's chunk sees
    // it, at the watermark (the newest event time less PARTITION_SKEW_MS), before the dispatch.
    await tick(B + 12 * HOUR + HOUR + 10 * MINUTE);
    const [late] = await alertsOf('LATE_DISPATCH_RISK', id);
    expect(late).to.include({ severity: 'high', resolved_at: null });
    expect(late!.message).to.match(/packed at .* waits for the carrier/);
    expect(late!.opened_at.getTime()).to.be.within(B + 12 * HOUR + HOUR, B + 12 * HOUR + HOUR + 10 * MINUTE);
    await send('shipments', [dispatched(id, wh, B + 12 * HOUR + HOUR + 20 * MINUTE)]);
    expect((await alertsOf('LATE_DISPATCH_RISK', id))[0]).to.include({ resolution: 'dispatched' });
  });

  it('never judges an order late on a dispatch published but not applied yet, however far ahead the order consumer is', async function () {
    const wh = f.m.warehouses[2]!;
    const id = `ORDER-${f.m.prefix}-D1`;
    const t0 = B + 20 * HOUR;
    await tick(t0);
    await send('orders', [
      ...queued(id, wh, t0, t0 + 2 * HOUR),
      order(id, wh, 'LINE_PICKED', t0 + HOUR / 4, { sku: f.m.skus[0]!, quantity: 1 }),
      order(id, wh, 'ORDER_PACKED', t0 + HOUR / 2),
    ]);
    // It leaves in time (t0 + 1 h), but the shipment consumer is behind: the dispatch waits in
    // the topic while the order consumer runs six hours on, past the promise.
    const release = f.hold('shipments');
    await send('shipments', [dispatched(id, wh, t0 + HOUR)]);
    for (const h of [1, 3, 6]) await tick(t0 + h * HOUR, { shipments: false });
    expect(await alertsOf('LATE_DISPATCH_RISK', id), 'while the shipments lag').to.have.length(0);
    // The shipment consumer catches up, its dispatch first: still no alert, ever.
    await release();
    await tick(t0 + 7 * HOUR);
    expect(await alertsOf('LATE_DISPATCH_RISK', id), 'after the catch-up').to.have.length(0);
  });

  it('judges a packed order late while the order topic is quiet, once shipments pass its promise and every order event is applied', async function () {
    const wh = f.m.warehouses[1]!;
    const id = `ORDER-${f.m.prefix}-E1`;
    const t0 = B + 30 * HOUR;
    // Other orders, dispatched half an hour apart from t0 on: after these events only the
    // shipment topic moves.
    const others = Array.from({ length: 4 }, () =>
      Array.from({ length: 80 }, () => `ORDER-${f.m.prefix}-E${randomUUID().slice(0, 8)}`),
    );
    await send('orders', [
      ...queued(id, wh, t0, t0 + HOUR),
      order(id, wh, 'LINE_PICKED', t0 + 10 * MINUTE, { sku: f.m.skus[0]!, quantity: 1 }),
      order(id, wh, 'ORDER_PACKED', t0 + 20 * MINUTE),
      ...others.flat().map((o) =>
        order(o, f.m.warehouses[3]!, 'ORDER_CREATED', t0, {
          lines: [{ sku: f.m.skus[2]!, quantity: 1 }],
          promisedDispatchAt: at(t0 + 10 * DAY),
        }),
      ),
    ]);
    for (const [k, ids] of others.entries()) {
      const time = t0 + (k + 1) * 30 * MINUTE;
      await send(
        'shipments',
        ids.map((o) => dispatched(o, f.m.warehouses[3]!, time)),
      );
      if (time <= t0 + HOUR) expect(await alertsOf('LATE_DISPATCH_RISK', id), `at ${k}`).to.have.length(0);
    }
    // The order topic's last event is at t0 + 20 min; the shipment chunks at t0 + 90 min find it
    // caught up, so it counts as complete to then: judged at t0 + 85 min, the watermark.
    const [late] = await alertsOf('LATE_DISPATCH_RISK', id);
    expect(late).to.include({ severity: 'high', resolved_at: null });
    expect(late!.opened_at.getTime()).to.be.within(t0 + HOUR, t0 + 2 * HOUR - PARTITION_SKEW_MS);
  });

  it('opens a shipment exception once, folds a repeat, and resolves it on the next scan or the delivery — also when the delivery came first', async function () {
    const wh = f.m.warehouses[2]!;
    const ship = (id: string, type: string, time: number, extra: object = {}) => ({
      eventId: randomUUID(),
      eventType: type,
      shipmentId: id,
      orderId: id.replace('SHP-', 'ORDER-'),
      warehouseId: wh,
      carrier: 'UPS',
      trackingNumber: 'UPS123',
      timestamp: at(time),
      ...extra,
    });
    const a = `SHP-${f.m.prefix}-X1`;
    await send('shipments', [
      ship(a, 'DISPATCHED', B),
      ship(a, 'IN_TRANSIT', B + HOUR),
      ship(a, 'EXCEPTION', B + 5 * HOUR, { exceptionCode: 'ADDRESS_ISSUE' }),
    ]);
    const [opened] = await alertsOf('SHIPMENT_EXCEPTION', a);
    expect(opened).to.include({
      severity: 'medium',
      subject_type: 'shipment',
      warehouse_id: wh,
      resolved_at: null,
    });
    expect(opened!.message).to.match(/ADDRESS_ISSUE.*Confirm the address/);
    // The parcel is then lost: the same incident, worse.
    await send('shipments', [ship(a, 'EXCEPTION', B + 20 * HOUR, { exceptionCode: 'LOST' })]);
    const worse = await alertsOf('SHIPMENT_EXCEPTION', a);
    expect(worse).to.have.length(1);
    expect(worse[0]).to.include({ severity: 'high', occurrences: 2, resolved_at: null });
    // Found and delivered after all.
    await send('shipments', [ship(a, 'DELIVERED', B + 30 * HOUR)]);
    const delivered = await alertsOf('SHIPMENT_EXCEPTION', a);
    expect(delivered[0]).to.include({ resolution: 'delivered' });
    expect(delivered[0]!.resolved_at!.getTime()).to.equal(B + 30 * HOUR);

    // The delivery arrives before the exception that preceded it: opened and resolved at once.
    const b = `SHP-${f.m.prefix}-X2`;
    await send('shipments', [ship(b, 'DELIVERED', B + 10 * HOUR)]);
    await send('shipments', [ship(b, 'EXCEPTION', B + 4 * HOUR, { exceptionCode: 'DELAYED' })]);
    const [late] = await alertsOf('SHIPMENT_EXCEPTION', b);
    expect(late).to.include({ severity: 'low', resolution: 'delivered' });
    expect(late!.opened_at.getTime()).to.equal(B + 4 * HOUR);
  });

  it('raises an audit-policy alert for an adjustment above the value limit and a master-data edit at night, and lets it go quiet', async function () {
    const wh = f.m.warehouses[2]!;
    const audit = (extra: Record<string, unknown>, time: number) => ({
      eventId: randomUUID(),
      actor: 'clerk-9@test',
      sku: f.m.skus[1]!,
      warehouseId: wh,
      timestamp: at(time),
      ...extra,
    });
    const adjust = (q: number, time: number) =>
      audit(
        {
          eventType: 'MANUAL_ADJUSTMENT',
          quantityChange: q,
          referenceId: 'COUNT-9',
          reasonCode: 'WRITE_OFF',
        },
        time,
      );
    const edit = (hour: number) =>
      audit(
        {
          eventType: 'MASTER_DATA_EDIT',
          entity: 'stock_policy',
          entityId: `${f.m.skus[2]}:${wh}`,
          field: 'reorder_point',
          oldValue: 10,
          newValue: 40,
          sku: f.m.skus[2]!,
        },
        Math.floor(B / DAY) * DAY + hour * HOUR + 5 * 60_000,
      );
    // 49 units of a product that costs 100 are worth 4,900 (under the 5,000 limit); 60 are 6,000.
    await send('audit', [adjust(-49, B), adjust(-60, B + HOUR), edit(14), edit(2)]);
    const stock = `stock:${f.m.skus[1]}:${wh}`;
    const [adjusted] = await alertsOf('AUDIT_POLICY', stock);
    expect(adjusted).to.include({
      severity: 'medium',
      subject_type: 'audit_entity',
      sku: f.m.skus[1],
      warehouse_id: wh,
    });
    expect(adjusted!.message).to.match(/worth 6,000 \(the limit is 5,000\)/);
    expect(adjusted!.opened_at.getTime()).to.equal(B + HOUR);
    const [night] = await alertsOf('AUDIT_POLICY', `stock_policy:${f.m.skus[2]}:${wh}`);
    expect(night!.message).to.match(/at night \(02:00/);
    expect(night!.occurrences, 'the 14:00 edit is no breach').to.equal(1);

    // Another breach a day and a half later: the first went quiet (24 h), a new incident opens.
    await send('audit', [adjust(30_000, B + 36 * HOUR)]);
    const rows = await alertsOf('AUDIT_POLICY', stock);
    expect(rows).to.have.length(2);
    expect(rows[0]).to.include({ resolution: 'quiet' });
    expect(rows[0]!.resolved_at!.getTime()).to.equal(B + 25 * HOUR);
    expect(rows[1]).to.include({ severity: 'high', resolved_at: null });
  });
});
