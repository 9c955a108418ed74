import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { TopicNames } from '../../platform/index.js';
import {
  deadLettersOf,
  findDeadLetter,
  listDeadLetters,
  replayDeadLetters,
  type DeadLetterDeps,
  type StreamingSidecar,
} from '../../streaming/index.js';
import type { MemoryBroker } from '../../streaming/transport/index.js';
import type { TestDatabase } from '../support/db.js';
import { waitFor } from '../support/wait.js';
import { ledgerMatchesLevels, makeEvent, useMemorySidecar, type TestMaster } from './support.js';

/** DLQ replay on the in-memory broker and real PostgreSQL: the case that needs it. */
describe('streaming: replaying the dead-letter topic', function () {
  let db: TestDatabase;
  let m: TestMaster;
  let topics: TopicNames;
  let broker: MemoryBroker;
  let sidecar: StreamingSidecar;
  let deps: DeadLetterDeps;

  useMemorySidecar((f) => {
    ({ db, m, topics, broker, sidecar } = f);
    deps = { broker, db: db.knex, topics };
  });

  const ledgerCount = async (ids: string[]) =>
    Number(
      (await db.knex('inventory.inventory_transactions').whereIn('event_id', ids).count({ n: '*' }))[0]!.n,
    );

  it('applies events dead-lettered as unknown_sku once their product exists, and a second replay applies nothing new', async function () {
    const sku = `${m.prefix}-LATE-001`;
    const early = Array.from({ length: 5 }, () =>
      makeEvent({ sku, warehouseId: m.warehouses[0]!, eventType: 'RESTOCK', quantityChange: 3 }),
    );
    const publisher = await broker.publisher();
    await publisher.send(topics.events, [
      ...early.map((e) => ({ key: `${e.sku}:${e.warehouseId}`, value: JSON.stringify(e) })),
      { key: null, value: 'not json' },
    ]);
    await publisher.close();
    await waitFor('the events dead-lettered', () => sidecar.totals.dlq === 6);

    const unknown = await listDeadLetters(deps, { reason: 'unknown_sku' });
    expect(unknown.map((d) => d.eventId).sort()).to.deep.equal(early.map((e) => e.eventId).sort());
    expect(unknown.every((d) => d.replayedAt === null && d.source.topic === topics.events)).to.equal(true);
    // Replayed now, they would only be dead-lettered again: a dry run says so and sends nothing.
    const dry = await replayDeadLetters(deps, { reason: 'unknown_sku', dryRun: true, by: 'spec' });
    expect([dry.dryRun, dry.replayed.length]).to.deep.equal([true, 5]);

    // The master data arrives.
    await db.knex('inventory.products').insert({
      sku,
      name: 'Late product',
      category: 'test',
      unit_cost: 10,
      unit_price: 15,
      lead_time_days: 7,
    });
    const first = await replayDeadLetters(deps, { reason: 'unknown_sku', by: 'spec' });
    expect([first.replayed.length, first.alreadyReplayed.length]).to.deep.equal([5, 0]);
    const ids = early.map((e) => e.eventId);
    await waitFor('the replayed events applied', async () => (await ledgerCount(ids)) === 5);
    const level = await db
      .knex('inventory.inventory_levels')
      .where({ sku, warehouse_id: m.warehouses[0] })
      .first('quantity_on_hand');
    expect(Number(level.quantity_on_hand)).to.equal(15);

    // A second replay of the same messages sends nothing; the malformed one was never selected.
    const second = await replayDeadLetters(deps, { reason: 'unknown_sku', by: 'spec' });
    expect([second.replayed.length, second.alreadyReplayed.length]).to.deep.equal([0, 5]);
    const left = await listDeadLetters(deps);
    expect(left.filter((d) => d.replayedAt === null).map((d) => d.reason)).to.deep.equal(['invalid_json']);

    // Even with the record of the replay lost, sending them again changes nothing: the event ids
    // are the ledger's key, and the duplicates are counted as such.
    await db.knex('streaming.dlq_replays').where({ dlq_topic: topics.dlq }).delete();
    const duplicates = sidecar.totals.duplicates;
    const again = await replayDeadLetters(deps, { reason: 'unknown_sku', by: 'spec' });
    expect(again.replayed.length).to.equal(5);
    await waitFor('the repeats seen', () => sidecar.totals.duplicates === duplicates + 5);
    expect(await ledgerCount(ids)).to.equal(5);
    expect(await ledgerMatchesLevels(db.knex)).to.equal(true);
  });

  it('selects by the time a message was dead-lettered', async function () {
    const all = await listDeadLetters(deps);
    expect(all.length).to.be.greaterThan(0);
    expect(await listDeadLetters(deps, { since: new Date(Date.now() + 60_000) })).to.deep.equal([]);
    expect((await listDeadLetters(deps, { since: new Date(0) })).length).to.equal(all.length);
  });

  it('replays a dead-lettered order back to warehouse-orders, where it is applied once, and records it under the orders DLQ', async function () {
    const orders = deadLettersOf({ broker, db: db.knex, topics }, 'orders');
    expect(orders.topics).to.deep.equal({ events: topics.orders, dlq: topics.ordersDlq });
    const sku = `${m.prefix}-LATE-ORDER`;
    const orderId = `ORDER-${m.prefix}`;
    const created = {
      eventId: randomUUID(),
      eventType: 'ORDER_CREATED',
      orderId,
      warehouseId: m.warehouses[0]!,
      timestamp: new Date(Date.now() - 60_000).toISOString(),
      promisedDispatchAt: new Date(Date.now() + 86_400_000).toISOString(),
      lines: [{ sku, quantity: 2 }],
    };
    const publisher = await broker.publisher();
    await publisher.send(topics.orders, [{ key: orderId, value: JSON.stringify(created) }]);
    await publisher.close();
    const t = sidecar.fulfilmentTotals.orders;
    await waitFor('the order dead-lettered', () => t.dlq === 1);

    const [letter] = await listDeadLetters(orders);
    expect(letter).to.include({ reason: 'unknown_sku', eventId: created.eventId, key: orderId });
    expect(letter!.source.topic).to.equal(topics.orders);
    expect((await findDeadLetter(orders, created.eventId))?.id).to.equal(letter!.id);
    // The inventory DLQ is another topic: nothing of the order is on it.
    expect((await listDeadLetters(deps)).map((d) => d.eventId)).not.to.include(created.eventId);

    await db.knex('inventory.products').insert({
      sku,
      name: 'Late product',
      category: 'test',
      unit_cost: 10,
      unit_price: 15,
      lead_time_days: 7,
    });
    const first = await replayDeadLetters(orders, { reason: 'unknown_sku', by: 'spec' });
    expect(first.replayed.map((d) => d.eventId)).to.deep.equal([created.eventId]);
    await waitFor('the replayed order applied', () => t.applied === 1);
    const replayed = [0, 1, 2, 3, 4, 5].flatMap((p) => broker.records(topics.orders, p)).at(-1)!;
    expect(replayed.value!.toString()).to.equal(JSON.stringify(created));
    expect(String(replayed.headers['x-replayed-from'])).to.equal(`${topics.ordersDlq}/${letter!.id}`);
    const line = await db.knex('inventory.order_lines').where({ order_id: orderId }).first();
    expect(line).to.include({ sku, ordered_quantity: 2 });

    const recorded = await db.knex('streaming.dlq_replays').where({ dlq_topic: topics.ordersDlq });
    expect(recorded.map((r: { replayed_to: string }) => r.replayed_to)).to.deep.equal([topics.orders]);
    const second = await replayDeadLetters(orders, { by: 'spec' });
    expect([second.replayed.length, second.alreadyReplayed.length]).to.deep.equal([0, 1]);
  });
});
