import { expect } from 'chai';
import { waitFor } from '../support/wait.js';
import { topicNames } from '../../platform/index.js';
import { startStreaming, type StreamingSidecar } from '../../streaming/index.js';
import {
  ledgerMatchesLevels,
  openStreamingFixture,
  produce,
  seedMasterData,
  type StreamingFixture,
  type TestMaster,
  windowMismatches,
} from './support.js';
import { expectedLevels, normalTraffic } from './traffic.js';

describe('streaming: several instances in one consumer group', function () {
  this.timeout(120_000);
  let f: StreamingFixture;
  let master: TestMaster;
  const sidecars: StreamingSidecar[] = [];

  before(async function () {
    f = await openStreamingFixture();
    master = await seedMasterData(f.db.knex, { skus: 12, warehouses: 3, unitCost: 1 });
  });

  after(async function () {
    for (const s of sidecars.reverse()) await s.close();
    await f?.close();
  });

  const count = async () =>
    Number((await f.db.knex('inventory.inventory_transactions').count({ n: '*' }))[0]!.n);

  it('shares the partitions between two instances, through a rebalance, without applying any event twice', async function () {
    const topic = topicNames(f.config).events;
    const events = normalTraffic(master, 12_000, {
      start: Date.now() - 40 * 60_000,
      spacingMs: 200,
      seed: 11,
    });
    sidecars.push(await startStreaming(f.config, { port: false, sessionTimeoutMs: 6_000, concurrency: 2 }));
    await produce(f.producer, topic, events.slice(0, 4_000), 500);
    await waitFor('the first instance to make progress', async () => (await count()) > 0);

    // A second instance joins mid-stream: the group rebalances and the partitions are split.
    sidecars.push(await startStreaming(f.config, { port: false, sessionTimeoutMs: 6_000, concurrency: 2 }));
    await produce(f.producer, topic, events.slice(4_000, 8_000), 500);
    // Redeliveries of already applied events, spread over every partition.
    await produce(f.producer, topic, events.slice(0, 1_000), 500);
    await waitFor('events after the rebalance', async () => sidecars[1]!.totals.applied > 0, {
      timeoutMs: 60_000,
    });
    await produce(f.producer, topic, events.slice(8_000), 500);
    await waitFor('every event in the ledger', async () => (await count()) === events.length, {
      timeoutMs: 60_000,
    });

    const [a, b] = sidecars;
    expect(a!.totals.applied).to.be.greaterThan(0);
    expect(b!.totals.applied).to.be.greaterThan(0);
    expect(a!.totals.applied + b!.totals.applied).to.equal(events.length);
    await waitFor(
      'the redeliveries to be skipped',
      async () => a!.totals.duplicates + b!.totals.duplicates >= 1_000,
    );

    const expected = expectedLevels(events);
    const levels = await f.db.knex('inventory.inventory_levels');
    expect(levels).to.have.length(expected.size);
    for (const l of levels) {
      expect({ onHand: l.quantity_on_hand, reserved: l.quantity_reserved }).to.deep.equal(
        expected.get(`${l.sku}:${l.warehouse_id}`),
      );
    }
    expect(await ledgerMatchesLevels(f.db.knex)).to.equal(true);
    const windows = await windowMismatches(f.db.knex);
    expect(windows.windows).to.be.greaterThan(0);
    expect(windows.mismatches).to.deep.equal([]);
  });
});
