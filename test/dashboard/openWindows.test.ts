import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { listOpenWindows, percentile, WINDOW_KINDS } from '../../streaming/index.js';
import { seedMasterData, type TestMaster } from '../streaming/support.js';
import { apiClient, startServer, PUBLIC_READ, type TestServer } from './server.js';

const MIN = 60_000;
const shape = (kind: string) => WINDOW_KINDS.find((k) => k.kind === kind)!;

/**
 * The first minutes of a live feed: the ledger has stream rows, but the watermark has closed no
 * window yet. The stream page and its JSON show the open windows, recomputed from the ledger and
 * marked provisional, instead of "No data in this period".
 */
describe('dashboard: open stream windows (provisional)', function () {
  let s: TestServer;
  let master: TestMaster;
  // The minute two minutes ago, and the next one: both still open at a 2-minute lateness. Taken
  // when the suite starts, not when mocha loads the file (a long run reaches it minutes later).
  let m0 = 0;

  before(async () => {
    m0 = Math.floor(Date.now() / MIN) * MIN - 2 * MIN;
    s = await startServer({ env: PUBLIC_READ });
    const knex = s.harness.db.knex;
    master = await seedMasterData(knex, { skus: 2, warehouses: 1 });
    const [a, b] = master.skus as [string, string];
    const wh = master.warehouses[0]!;
    const row = (sku: string, change: number, at: number, partition: number | null = 0) => ({
      event_id: randomUUID(),
      sku,
      warehouse_id: wh,
      event_type: change > 0 ? 'RESTOCK' : 'SALE',
      quantity_change: change,
      occurred_at: new Date(at),
      source_partition: partition,
    });
    await knex('inventory.inventory_transactions').insert([
      row(a, 10, m0 + 5_000),
      row(a, -1, m0 + 25_000),
      row(a, -2, m0 + 45_000, 1),
      row(a, -3, m0 + MIN + 10_000),
      row(a, -4, m0 + MIN + 30_000),
      row(b, 5, m0 + MIN + 20_000),
      // Loaded straight into PostgreSQL (no partition): never part of a stream window.
      row(a, 100, m0 + 30_000, null),
      // Long before any open window.
      row(b, 7, m0 - 60 * MIN),
    ]);
  });
  after(async () => {
    await s?.close();
  });

  const { get } = apiClient(() => s);
  const read = (kind: string, filter: { sku?: string } = {}) =>
    listOpenWindows(s.harness.db.knex, { window: shape(kind), ...filter });

  it('aggregates the recent stream rows into the open windows, with the figures a closed window holds', async () => {
    const [a, b] = master.skus as [string, string];
    const rows = await read('tumbling_1m');
    expect(rows.map((r) => [new Date(r.window_start).getTime() - m0, r.sku, r.event_count])).to.deep.equal([
      [MIN, a, 2],
      [MIN, b, 1],
      [0, a, 3],
    ]);
    const first = rows.find((r) => new Date(r.window_start).getTime() === m0)!;
    expect(first).to.deep.include({
      window_kind: 'tumbling_1m',
      units_in: 10,
      units_out: 3,
      min_change: -2,
      max_change: 10,
      p50_change: -1,
      late_events: 0,
      provisional: true,
    });
    expect(first.mean_change).to.be.closeTo(7 / 3, 1e-9);
    // The sidecar's own percentile, so a provisional window closes to the same figure.
    expect(first.p95_change).to.be.closeTo(percentile([-2, -1, 10], 0.95), 1e-9);
    expect(new Date(first.window_end).getTime()).to.equal(m0 + MIN);

    // A sliding 5-minute window holds every row of both minutes for its pair.
    const sliding = await read('sliding_5m_1m', { sku: a });
    const atM0 = sliding.find((r) => new Date(r.window_start).getTime() === m0)!;
    expect(atM0).to.include({ event_count: 5, units_in: 10, units_out: 10 });
    expect(new Date(atM0.window_end).getTime()).to.equal(m0 + 5 * MIN);
    expect(sliding.every((r) => r.sku === a)).to.equal(true);
  });

  it('shows them on the stream page and in its JSON, marked provisional', async () => {
    const response = await fetch(`${s.url}/stream?window_kind=tumbling_1m`);
    const html = await response.text();
    expect(response.status).to.equal(200);
    expect(html).not.to.include('No data in this period');
    expect(html).to.include('events, open windows (provisional)');
    expect(html.match(/<tr data-provisional="true">/g)).to.have.length(2);

    const throughput = await get('/api/stream/throughput?window_kind=tumbling_1m');
    expect(throughput.body.points).to.deep.equal([]);
    expect(
      throughput.body.provisional.map((p: any) => [
        new Date(p.window_start).getTime() - m0,
        p.events,
        p.pairs,
      ]),
    ).to.deep.equal([
      [0, 3, 1],
      [MIN, 3, 2],
    ]);
    expect(throughput.body.provisional.every((p: any) => p.provisional === true)).to.equal(true);

    const open = await get('/api/stream/windows/open?window_kind=tumbling_1m');
    expect(open.body).to.include({ window_kind: 'tumbling_1m', provisional: true });
    expect(open.body.items).to.have.length(3);
  });

  it('leaves out the windows up to the last one the watermark closed', async () => {
    await s.harness.db.knex('analytics.stream_windows').insert({
      window_kind: 'tumbling_1m',
      window_start: new Date(m0),
      window_end: new Date(m0 + MIN),
      sku: master.skus[0],
      warehouse_id: master.warehouses[0],
      event_count: 3,
      units_in: 10,
      units_out: 3,
    });
    const rows = await read('tumbling_1m');
    expect(rows.map((r) => new Date(r.window_start).getTime() - m0)).to.deep.equal([MIN, MIN]);
    // Other kinds are bounded by their own closed windows (none yet).
    expect((await read('tumbling_5m')).length).to.be.greaterThan(0);
  });
});
