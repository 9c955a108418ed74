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
} from './support.js';
import { normalTraffic } from './traffic.js';

describe('streaming: back-pressure when PostgreSQL fails', function () {
  this.timeout(120_000);
  let f: StreamingFixture;
  let master: TestMaster;
  let sidecar: StreamingSidecar;

  before(async function () {
    f = await openStreamingFixture();
    master = await seedMasterData(f.db.knex, { skus: 4, warehouses: 2, unitCost: 1 });
    sidecar = await startStreaming(f.config, { port: 0, retryDelayMs: [50, 400] });
  });

  after(async function () {
    await sidecar?.close();
    await f?.close();
  });

  const count = async () =>
    Number((await f.db.knex('inventory.inventory_transactions').count({ n: '*' }))[0]!.n);

  it('pauses and retries while writes fail, then applies everything once without skipping an offset', async function () {
    const events = normalTraffic(master, 3_000, { start: Date.now() - 30 * 60_000, spacingMs: 500, seed: 5 });
    await produce(f.producer, topicNames(f.config).events, events.slice(0, 1_000));
    await waitFor('the first events', async () => (await count()) === 1_000);

    // Every batch transaction now fails on its last write (the offsets table is gone).
    await f.db.knex.raw('ALTER TABLE streaming.consumer_offsets RENAME TO consumer_offsets_away');
    await produce(f.producer, topicNames(f.config).events, events.slice(1_000));
    await waitFor('failed attempts', () => sidecar.totals.retries >= 3);
    expect(await count()).to.equal(1_000); // nothing of a failed batch is committed
    const health = await fetch(`http://127.0.0.1:${sidecar.port}/health`);
    expect(health.status).to.equal(200); // PostgreSQL answers; the sidecar waits, it is not down

    await f.db.knex.raw('ALTER TABLE streaming.consumer_offsets_away RENAME TO consumer_offsets');
    await waitFor('the rest after recovery', async () => (await count()) === events.length, {
      timeoutMs: 30_000,
    });
    expect(sidecar.totals.applied).to.equal(events.length);
    expect(await ledgerMatchesLevels(f.db.knex)).to.equal(true);
    expect(await sidecar.metrics.registry.getSingleMetricAsString('streaming_batch_retries_total')).to.match(
      /streaming_batch_retries_total [1-9]/,
    );
  });
});
