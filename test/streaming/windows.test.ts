import { expect } from 'chai';
import { waitFor } from '../support/wait.js';
import { topicNames } from '../../platform/index.js';
import type { InventoryEvent } from '../../inventory/events/index.js';
import { startStreaming, type StreamingSidecar } from '../../streaming/index.js';
import {
  makeEvent,
  openStreamingFixture,
  produce,
  readTopic,
  seedMasterData,
  type StreamingFixture,
  type TestMaster,
  windowMismatches,
} from './support.js';

const MIN = 60_000;

describe('streaming: event-time windows', function () {
  this.timeout(120_000);
  let f: StreamingFixture;
  let master: TestMaster;
  let sidecar: StreamingSidecar | undefined;

  before(async function () {
    f = await openStreamingFixture();
    master = await seedMasterData(f.db.knex, { skus: 1, warehouses: 1, unitCost: 1 });
  });

  after(async function () {
    await sidecar?.close();
    await f?.close();
  });

  const count = async () =>
    Number((await f.db.knex('inventory.inventory_transactions').count({ n: '*' }))[0]!.n);

  it('closes windows by watermark across a restart, matching a recount of the ledger, and counts late events without losing them', async function () {
    const topics = topicNames(f.config);
    const sku = master.skus[0]!;
    const warehouseId = master.warehouses[0]!;
    const t0 = Math.floor((Date.now() - 2 * 3_600_000) / 3_600_000) * 3_600_000;
    const minute = (m: number): InventoryEvent[] => [
      makeEvent({
        sku,
        warehouseId,
        eventType: 'RESTOCK',
        quantityChange: 10,
        timestamp: t0 + m * MIN + 5_000,
      }),
      makeEvent({ sku, warehouseId, quantityChange: -1, timestamp: t0 + m * MIN + 25_000 }),
      makeEvent({
        sku,
        warehouseId,
        quantityChange: -2,
        timestamp: new Date(t0 + m * MIN + 45_000).toISOString(),
      }),
    ];
    const first = Array.from({ length: 15 }, (_, m) => minute(m)).flat();
    const second = Array.from({ length: 15 }, (_, m) => minute(m + 15)).flat();

    sidecar = await startStreaming(f.config, { port: false });
    await produce(f.producer, topics.events, first);
    await waitFor('the first half', async () => (await count()) === first.length);
    // A restart in the middle: the open windows are rebuilt from the ledger, not doubled.
    await sidecar.close();
    sidecar = await startStreaming(f.config, { port: false });
    await produce(f.producer, topics.events, second);
    await waitFor('the second half', async () => (await count()) === first.length + second.length);

    // Watermark now: t0 + 29m45s − 2 min. An event at t0 + 2m is late for every window that
    // contains it except the hour, which is still open.
    const late = makeEvent({ sku, warehouseId, quantityChange: -4, timestamp: t0 + 2 * MIN + 30_000 });
    await produce(f.producer, topics.events, [late]);
    await waitFor(
      'the late event in the ledger',
      async () => (await count()) === first.length + second.length + 1,
    );

    const rows = await f.db.knex('analytics.stream_windows').where({ sku, warehouse_id: warehouseId });
    const byKind = (k: string) => rows.filter((r) => r.window_kind === k);
    // Closed: windows ending at or before t0 + 27m45s.
    expect(byKind('tumbling_1m')).to.have.length(27);
    expect(byKind('tumbling_5m')).to.have.length(5);
    expect(byKind('tumbling_15m')).to.have.length(1);
    expect(byKind('tumbling_1h')).to.have.length(0);
    expect(byKind('sliding_5m_1m')).to.have.length(27);
    for (const w of byKind('tumbling_1m')) {
      expect(w).to.include({ event_count: 3, units_in: 10, units_out: 3, min_change: -2, max_change: 10 });
      expect(w.mean_change).to.be.closeTo(7 / 3, 1e-9);
    }
    const lateRows = rows.filter((r) => r.late_events > 0);
    expect(lateRows.map((r) => r.window_kind).sort()).to.deep.equal([
      'sliding_5m_1m',
      'sliding_5m_1m',
      'sliding_5m_1m',
      'sliding_5m_1m',
      'sliding_5m_1m',
      'tumbling_15m',
      'tumbling_1m',
      'tumbling_5m',
    ]);
    expect(await sidecar.metrics.registry.getSingleMetricAsString('late_events_total')).to.include(
      'late_events_total 8',
    );
    const [level] = await f.db.knex('inventory.inventory_levels').where({ sku });
    expect(level.quantity_on_hand).to.equal(30 * 7 - 4); // the late event is applied

    const recount = await windowMismatches(f.db.knex);
    expect(recount.windows).to.equal(rows.length - lateRows.length);
    expect(recount.mismatches).to.deep.equal([]);

    const published = await readTopic(f.kafka, topics.analytics, rows.length);
    const first1m = published
      .map((p) => JSON.parse(p.value!.toString()))
      .find((w) => w.windowKind === 'tumbling_1m');
    expect(first1m).to.include({
      type: 'WINDOW_CLOSED',
      sku,
      warehouseId,
      eventCount: 3,
      unitsIn: 10,
      unitsOut: 3,
    });
    expect(published[0]!.key).to.equal(`${sku}:${warehouseId}`);
  });
});
