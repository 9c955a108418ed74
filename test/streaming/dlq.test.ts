import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { waitFor } from '../support/wait.js';
import { topicNames } from '../../platform/index.js';
import { startStreaming, type StreamingSidecar } from '../../streaming/index.js';
import {
  ledgerMatchesLevels,
  makeEvent,
  openStreamingFixture,
  produce,
  readTopic,
  seedMasterData,
  type StreamingFixture,
  type TestMaster,
} from './support.js';

/** An ISO-8601 time with a +02:00 offset instead of Z. */
function isoWithOffset(ms: number): string {
  return new Date(ms + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
}

describe('streaming: validation and the dead-letter topic', function () {
  let f: StreamingFixture;
  let sidecar: StreamingSidecar;
  let m: TestMaster;

  before(async function () {
    f = await openStreamingFixture();
    m = await seedMasterData(f.db.knex);
    sidecar = await startStreaming(f.config, { port: 0 });
  });

  after(async function () {
    await sidecar?.close();
    await f?.close();
  });

  it('dead-letters every kind of bad message with its reason, applies the good ones once, and keeps consuming', async function () {
    const topics = topicNames(f.config);
    const sku = m.skus[0]!;
    const warehouseId = m.warehouses[0]!;
    const base = () => makeEvent({ sku, warehouseId });
    const now = Date.now();
    const json = (o: unknown) => JSON.stringify(o);
    const without = (field: string) => {
      const e: Record<string, unknown> = { ...base() };
      delete e[field];
      return json(e);
    };
    const original = base();
    const bad: Array<[string, Buffer | string | null]> = [
      ['invalid_json', Buffer.from([0xff, 0xfe, 0x00, 0x80, ...randomBytes(64)])],
      ['invalid_json', 'not json {'],
      ['empty_message', Buffer.alloc(0)],
      ['empty_message', null],
      ['message_too_large', json({ ...base(), notes: 'x'.repeat(200_000) })],
      ['not_an_object', '[1,2,3]'],
      ['not_an_object', '42'],
      ['missing_field', without('eventId')],
      ['missing_field', without('eventType')],
      ['missing_field', without('sku')],
      ['missing_field', without('warehouseId')],
      ['missing_field', without('quantityChange')],
      ['missing_field', without('timestamp')],
      ['missing_field', json({ ...base(), sku: '   ' })],
      ['invalid_field', json({ ...base(), sku: 123 })],
      ['invalid_field', json({ ...base(), quantityChange: '-1' })],
      ['invalid_field', json({ ...base(), notes: { a: 1 } })],
      ['invalid_field', json({ ...base(), timestamp: true })],
      ['invalid_event_id', json({ ...base(), eventId: 'not-a-uuid' })],
      ['unknown_event_type', json({ ...base(), eventType: 'THEFT' })],
      ['invalid_quantity', json({ ...base(), quantityChange: -1.5 })],
      ['zero_quantity', json({ ...base(), eventType: 'ADJUSTMENT', quantityChange: 0 })],
      ['wrong_sign', json({ ...base(), eventType: 'SALE', quantityChange: 2 })],
      ['wrong_sign', json({ ...base(), eventType: 'RESTOCK', quantityChange: -2 })],
      ['wrong_sign', json({ ...base(), eventType: 'RETURN', quantityChange: -2 })],
      ['wrong_sign', json({ ...base(), eventType: 'TRANSFER_IN', quantityChange: -2 })],
      ['wrong_sign', json({ ...base(), eventType: 'TRANSFER_OUT', quantityChange: 2 })],
      ['wrong_sign', json({ ...base(), eventType: 'RESERVATION', quantityChange: -2 })],
      ['wrong_sign', json({ ...base(), eventType: 'RESERVATION_RELEASE', quantityChange: 2 })],
      ['quantity_out_of_range', json({ ...base(), eventType: 'RESTOCK', quantityChange: 1_000_001 })],
      ['quantity_out_of_range', json({ ...base(), eventType: 'ADJUSTMENT', quantityChange: -1_000_001 })],
      ['invalid_timestamp', json({ ...base(), timestamp: 'yesterday' })],
      ['invalid_timestamp', json({ ...base(), timestamp: '2025-01-01T00:00:00' })],
      ['invalid_timestamp', json({ ...base(), timestamp: -5 })],
      ['future_timestamp', json({ ...base(), timestamp: new Date(now + 2 * 3_600_000).toISOString() })],
      ['stale_timestamp', json({ ...base(), timestamp: now - 401 * 86_400_000 })],
      ['unknown_sku', json({ ...base(), sku: `${m.prefix}-NOPE` })],
      ['unknown_warehouse', json({ ...base(), warehouseId: `${m.prefix}-NOWHERE` })],
      ['conflicting_duplicate', json({ ...original, quantityChange: -7 })],
      // The same id with a time 40 days earlier: another monthly partition of the ledger.
      [
        'conflicting_duplicate',
        json({
          ...original,
          timestamp: new Date(Date.parse(String(original.timestamp)) - 40 * 86_400_000).toISOString(),
        }),
      ],
    ];
    const good = [
      original,
      { ...original }, // an exact redelivery: applied once, not dead-lettered
      makeEvent({
        sku: `  ${sku.toLowerCase()} `,
        warehouseId: ` ${warehouseId.toLowerCase()}`,
        quantityChange: -2,
      }),
      makeEvent({ sku, warehouseId, eventType: 'RESTOCK', quantityChange: 50, timestamp: now - 60_000 }),
      makeEvent({ sku, warehouseId, eventType: 'INVENTORY_UPDATE', quantityChange: -3 }),
      makeEvent({
        sku,
        warehouseId,
        eventType: 'RESERVATION',
        quantityChange: 4,
        timestamp: isoWithOffset(now - 3_600_000),
      }),
      makeEvent({ sku, warehouseId, quantityChange: -1_000_000, eventType: 'ADJUSTMENT' }),
      makeEvent({ sku, warehouseId, eventId: ` ${randomUUID().toUpperCase()} ` }),
    ];
    // Interleave bad and good messages on the same key, so both share one partition.
    const items: Array<{ key: string; value: Buffer | string | null }> = [];
    for (let i = 0; i < Math.max(bad.length, good.length); i++) {
      if (good[i]) items.push({ key: `${sku}:${warehouseId}`, value: JSON.stringify(good[i]) });
      if (bad[i]) items.push({ key: `${sku}:${warehouseId}`, value: bad[i]![1] });
    }
    await produce(f.producer, topics.events, items);

    const dlq = await readTopic(f.kafka, topics.dlq, bad.length);
    const expected = new Map(
      bad.map(([reason, v]) => [v === null ? '' : Buffer.from(v).toString('hex'), reason]),
    );
    for (const d of dlq) {
      const bytes = d.value === null ? '' : d.value.toString('hex');
      expect(expected.has(bytes), `unexpected DLQ message ${d.value?.toString().slice(0, 80)}`).to.equal(
        true,
      );
      expect(d.headers['x-dlq-reason']).to.equal(expected.get(bytes));
      expect(d.key).to.equal(`${sku}:${warehouseId}`);
      expect(d.headers['x-source-topic']).to.equal(topics.events);
    }
    expect(dlq).to.have.length(bad.length);

    const rows = await waitFor('the good events in the ledger', async () => {
      const r = await f.db.knex('inventory.inventory_transactions').orderBy('occurred_at');
      return r.length === good.length - 1 && r;
    });
    expect(rows.map((r) => r.sku)).to.deep.equal(rows.map(() => sku));
    expect(rows.map((r) => r.event_type))
      .to.include('ADJUSTMENT')
      .and.not.include('INVENTORY_UPDATE');
    const [level] = await f.db.knex('inventory.inventory_levels').where({ sku, warehouse_id: warehouseId });
    expect(level.quantity_on_hand).to.equal(-1 - 2 + 50 - 3 - 1_000_000 - 1);
    expect(level.quantity_reserved).to.equal(4);
    expect(await ledgerMatchesLevels(f.db.knex)).to.equal(true);

    const metrics = await sidecar.metrics.registry.getSingleMetricAsString('dlq_messages_total');
    expect(metrics).to.include('reason="wrong_sign"} 7');
    expect(metrics).to.include('reason="invalid_json"} 2');
    expect(sidecar.totals.duplicates).to.equal(1);

    // The partition is not blocked: a later event is applied.
    await produce(f.producer, topics.events, [makeEvent({ sku, warehouseId, quantityChange: -5 })]);
    await waitFor('the next event', async () => {
      const [l] = await f.db.knex('inventory.inventory_levels').where({ sku, warehouse_id: warehouseId });
      return l.quantity_on_hand === level.quantity_on_hand - 5;
    });
  });

  it('reports healthy dependencies on /health and serves Prometheus metrics', async function () {
    const health = await fetch(`http://127.0.0.1:${sidecar.port}/health`);
    expect(health.status).to.equal(200);
    expect(await health.json()).to.deep.equal({
      status: 'ok',
      checks: { postgres: 'ok', redis: 'ok', kafka: 'ok' },
    });
    const metrics = await (await fetch(`http://127.0.0.1:${sidecar.port}/metrics`)).text();
    for (const name of [
      'messages_processed_total',
      'message_processing_seconds',
      'consumer_lag',
      'dlq_messages_total',
      'anomalies_detected_total',
      'windows_closed_total',
      'late_events_total',
    ]) {
      expect(metrics).to.include(name);
    }
    expect(metrics).to.match(
      /messages_processed_total\{topic="inventory-events[^"]*",status="applied"\} \d+/,
    );
  });
});
