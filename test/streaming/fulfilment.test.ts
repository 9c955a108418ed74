import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { waitFor } from '../support/wait.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { topicNames, type Config, type TopicNames } from '../../platform/index.js';
import { startStreaming, type StreamingSidecar } from '../../streaming/index.js';
import { memoryBroker, type MemoryBroker } from '../../streaming/transport/index.js';
import { loadPartitionProgress } from '../../streaming/store/index.js';
import type { FulfilmentStream } from '../../inventory/fulfilment/index.js';
import { seedMasterData, streamingConfig, type TestMaster } from './support.js';

/**
 * The order, shipment and audit topics through the sidecar on the in-memory broker, against a real
 * PostgreSQL: one consumer group per topic, the same chunk runner as the inventory events.
 */
describe('streaming the order, shipment and audit topics', function () {
  let db: TestDatabase;
  let m: TestMaster;
  let config: Config;
  let topics: TopicNames;
  const sidecars: StreamingSidecar[] = [];

  before(async function () {
    db = await createTestDatabase();
    m = await seedMasterData(db.knex, { skus: 3, warehouses: 2 });
  });
  beforeEach(function () {
    config = streamingConfig(db.url);
    topics = topicNames(config);
  });
  afterEach(async function () {
    for (const s of sidecars.splice(0).reverse()) await s.close();
  });
  after(async function () {
    await db?.drop();
  });

  const start = async (broker: MemoryBroker) => {
    const s = await startStreaming(config, { broker, port: false, retryDelayMs: [10, 50], chunkSize: 50 });
    sidecars.push(s);
    return s;
  };
  const topicOf = (stream: FulfilmentStream) => topics[stream];
  const groupOf = (stream: FulfilmentStream) => `${config.KAFKA_GROUP_ID}.${stream}`;
  const send = async (broker: MemoryBroker, stream: FulfilmentStream, items: Array<object | string>) => {
    const publisher = await broker.publisher();
    await publisher.send(
      topicOf(stream),
      items.map((item) => {
        if (typeof item === 'string') return { key: 'bad', value: item };
        // The contract's keys: orderId, shipmentId, `entity:entityId` (stock for these audit events).
        const b = item as Record<string, string>;
        const key = { orders: b.orderId, shipments: b.shipmentId, audit: `stock:${b.sku}:${b.warehouseId}` }[
          stream
        ];
        return { key: key!, value: JSON.stringify(item) };
      }),
    );
    await publisher.close();
  };
  const dlqReasons = (broker: MemoryBroker, topic: string) =>
    broker.records(topic, 0).map((r) => String(r.headers['x-dlq-reason']));
  const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();
  const orderId = () => `ORDER-${randomUUID().slice(0, 8).toUpperCase()}`;
  const orderEvent = (id: string, eventType: string, minutes: number, extra: object = {}) => ({
    eventId: randomUUID(),
    eventType,
    orderId: id,
    warehouseId: m.warehouses[0]!,
    timestamp: minutesAgo(minutes),
    ...extra,
  });
  const orderLife = (id: string) => [
    orderEvent(id, 'ORDER_CREATED', 50, {
      lines: [{ sku: m.skus[0]!, quantity: 2 }],
      promisedDispatchAt: minutesAgo(-24 * 60),
    }),
    orderEvent(id, 'LINE_RESERVED', 50, { sku: m.skus[0]!, quantity: 2 }),
    orderEvent(id, 'LINE_PICKED', 20, { sku: m.skus[0]!, quantity: 2 }),
    orderEvent(id, 'ORDER_PACKED', 10),
  ];
  const shipmentEvent = (id: string, eventType: string, minutes: number, extra: object = {}) => ({
    eventId: randomUUID(),
    eventType,
    shipmentId: id.replace('ORDER-', 'SHP-'),
    orderId: id,
    warehouseId: m.warehouses[0]!,
    carrier: 'DHL',
    timestamp: minutesAgo(minutes),
    ...extra,
  });
  const adjustment = (extra: object = {}) => ({
    eventId: randomUUID(),
    eventType: 'MANUAL_ADJUSTMENT',
    actor: 'clerk-1@test',
    sku: m.skus[1]!,
    warehouseId: m.warehouses[1]!,
    quantityChange: -2,
    referenceId: 'COUNT-1',
    timestamp: minutesAgo(3),
    ...extra,
  });
  const count = async (table: string, where: Record<string, string>) =>
    Number((await db.knex(table).where(where).count({ n: '*' }))[0]!.n);

  it('applies each valid event once, moves the projections, and dead-letters the rest on the topic’s own DLQ with reasons', async function () {
    const broker = memoryBroker();
    const sidecar = await start(broker);
    const id = orderId();
    await send(broker, 'orders', [
      ...orderLife(id),
      'not json',
      orderEvent(orderId(), 'ORDER_CREATED', 5, {
        lines: [{ sku: `${m.prefix}-NOPE`, quantity: 1 }],
        promisedDispatchAt: minutesAgo(-60),
      }),
      orderEvent(orderId(), 'ORDER_PACKED', 5, { warehouseId: `${m.prefix}-NOWHERE` }),
    ]);
    await send(broker, 'shipments', [
      shipmentEvent(id, 'DISPATCHED', 8),
      shipmentEvent(id, 'EXCEPTION', 6, { exceptionCode: 'DELAYED' }),
      shipmentEvent(id, 'DELIVERED', 1),
      shipmentEvent(id, 'EXCEPTION', 4, { exceptionCode: 'ALIENS' }),
    ]);
    await send(broker, 'audit', [adjustment(), adjustment({ quantityChange: 0 })]);

    const t = sidecar.fulfilmentTotals;
    await waitFor(
      'every message applied or dead-lettered',
      () =>
        t.orders.applied + t.orders.dlq === 7 &&
        t.shipments.applied + t.shipments.dlq === 4 &&
        t.audit.applied + t.audit.dlq === 2,
    );
    expect([t.orders.applied, t.shipments.applied, t.audit.applied]).to.deep.equal([4, 3, 1]);
    expect(dlqReasons(broker, topics.ordersDlq).sort()).to.deep.equal([
      'invalid_json',
      'unknown_sku',
      'unknown_warehouse',
    ]);
    expect(dlqReasons(broker, topics.shipmentsDlq)).to.deep.equal(['invalid_field']);
    expect(dlqReasons(broker, topics.auditDlq)).to.deep.equal(['zero_quantity']);
    expect(
      broker
        .records(topics.ordersDlq, 0)
        .find((r) => r.headers['x-dlq-reason'] === 'invalid_json')!
        .value!.toString(),
    ).to.equal('not json');

    const order = await db.knex('inventory.orders').where({ order_id: id }).first();
    expect(order).to.include({ warehouse_id: m.warehouses[0] });
    expect(order.created_at).to.be.an.instanceOf(Date);
    expect(order.packed_at.getTime()).to.be.greaterThan(order.created_at.getTime());
    const line = await db.knex('inventory.order_lines').where({ order_id: id }).first();
    expect(line).to.include({
      sku: m.skus[0],
      ordered_quantity: 2,
      reserved_quantity: 2,
      picked_quantity: 2,
    });
    const ship = await db.knex('inventory.shipments').where({ order_id: id }).first();
    expect(ship).to.include({ exceptions: 1, last_exception_code: 'DELAYED', carrier: 'DHL' });
    expect(ship.delivered_at.getTime()).to.be.greaterThan(ship.dispatched_at.getTime());
    expect(
      await count('inventory.audit_events', { sku: m.skus[1]!, event_type: 'MANUAL_ADJUSTMENT' }),
    ).to.equal(1);

    // The progress of each topic is PostgreSQL's, under the stream's own consumer group.
    for (const stream of ['orders', 'shipments', 'audit'] as const) {
      const stored = await Promise.all(
        [0, 1, 2, 3, 4, 5].map((p) => loadPartitionProgress(db.knex, groupOf(stream), topicOf(stream), p)),
      );
      const total = stored.reduce((sum, s) => sum + Number(s?.nextOffset ?? 0), 0);
      expect(total, stream).to.equal({ orders: 7, shipments: 4, audit: 2 }[stream]);
    }
  });

  it('counts a redelivery and a resend under a new eventId as duplicates, and dead-letters an id or a natural key reused for something else', async function () {
    const broker = memoryBroker();
    const sidecar = await start(broker);
    const id = orderId();
    const [created, reserved] = orderLife(id);
    await send(broker, 'orders', [
      created!,
      reserved!,
      created!, // the same message again
      { ...reserved!, eventId: randomUUID() }, // the same fact, a producer's new id
      { ...created!, lines: [{ sku: m.skus[1]!, quantity: 9 }] }, // the id of another fact
      { ...reserved!, eventId: randomUUID(), quantity: 7 }, // the fact's key, other content
    ]);
    const t = sidecar.fulfilmentTotals.orders;
    await waitFor('six messages settled', () => t.applied + t.duplicates + t.dlq === 6);
    expect(t).to.include({ applied: 2, duplicates: 2, dlq: 2 });
    expect(dlqReasons(broker, topics.ordersDlq)).to.deep.equal([
      'conflicting_duplicate',
      'conflicting_duplicate',
    ]);
    expect(await count('inventory.order_events', { order_id: id })).to.equal(2);
    const line = await db.knex('inventory.order_lines').where({ order_id: id });
    expect(line).to.have.length(1);
    expect(line[0]).to.include({ sku: m.skus[0], ordered_quantity: 2, reserved_quantity: 2 });
  });

  it('projects the same order whatever the order its events arrive in', async function () {
    const broker = memoryBroker();
    const sidecar = await start(broker);
    const a = orderId();
    const b = orderId();
    const lifeA = orderLife(a);
    const lifeB = orderLife(b).map((e) => ({ ...e, orderId: b }));
    // B's events come last first; shipments may come before the order they belong to.
    await send(broker, 'shipments', [shipmentEvent(b, 'DISPATCHED', 5)]);
    await send(broker, 'orders', [...lifeA, ...[...lifeB].reverse()]);
    const t = sidecar.fulfilmentTotals;
    await waitFor('both orders', () => t.orders.applied === 8 && t.shipments.applied === 1);
    const project = async (id: string) => ({
      order: await db
        .knex('inventory.orders')
        .where({ order_id: id })
        .first('warehouse_id', 'customer_id', 'cancelled_at'),
      lines: await db
        .knex('inventory.order_lines')
        .where({ order_id: id })
        .select('sku', 'ordered_quantity', 'reserved_quantity', 'picked_quantity'),
    });
    expect(await project(b)).to.deep.equal(await project(a));
    const times = await db.knex('inventory.orders').where({ order_id: b }).first();
    expect(times.created_at.toISOString()).to.equal(lifeB[0]!.timestamp);
    expect(times.packed_at.toISOString()).to.equal(lifeB[3]!.timestamp);
    expect(
      (await db.knex('inventory.shipments').where({ order_id: b }).first()).dispatched_at,
    ).to.be.an.instanceOf(Date);
  });

  it('after a rebalance resumes from the offsets PostgreSQL stored, applying nothing twice', async function () {
    const broker = memoryBroker();
    const sidecar = await start(broker);
    const events = [orderId(), orderId(), orderId()].flatMap(orderLife);
    await send(broker, 'orders', events);
    const t = sidecar.fulfilmentTotals.orders;
    await waitFor('the orders', () => t.applied === events.length);
    const group = groupOf('orders');
    const used = [0, 1, 2, 3, 4, 5].filter((p) => broker.records(topics.orders, p).length > 0);
    // The broker forgets what was done: the next generation is handed every partition from 0.
    for (const p of used) broker.commitOffset(group, topics.orders, p, '0');
    broker.rebalance(group);
    await waitFor('the offsets marked done again', () =>
      used.every(
        (p) => broker.committed(group, topics.orders, p) === String(broker.records(topics.orders, p).length),
      ),
    );
    expect(t).to.include({ applied: events.length, duplicates: 0, dlq: 0 });
    const stored = await db
      .knex('inventory.order_events')
      .whereIn(
        'event_id',
        events.map((e) => e.eventId),
      )
      .count({ n: '*' });
    expect(Number(stored[0]!.n)).to.equal(events.length);
  });
});
