import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { waitFor } from '../support/wait.js';
import { createRedis, topicNames, type Redis } from '../../platform/index.js';
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
} from './support.js';
import { normalTraffic } from './traffic.js';
import { TEST_REDIS_URL } from '../support/isolation.js';

const MIN = 60_000;
const HOUR = 3_600_000;

/** The latest instant before `now` at which Tokyo (UTC+9, no DST) shows `hour`:00 on a day matching `day`. */
function tokyoTime(now: number, hour: number, day: (dow: number) => boolean): number {
  for (let d = 0; d < 14; d++) {
    const local = new Date(now + 9 * HOUR - d * 24 * HOUR);
    local.setUTCHours(hour, 0, 0, 0);
    const t = local.getTime() - 9 * HOUR;
    if (t < now && day(local.getUTCDay())) return t;
  }
  throw new Error('no such day');
}

describe('streaming: anomaly rules and alerts', function () {
  this.timeout(120_000);
  let f: StreamingFixture;
  let redis: Redis;
  let sidecar: StreamingSidecar;
  let normal: TestMaster;
  let cheap: TestMaster;
  let expensive: TestMaster;
  let tokyo: TestMaster;
  const crafted = new Map<string, { pair: [string, string]; events: InventoryEvent[] }>();

  before(async function () {
    f = await openStreamingFixture();
    normal = await seedMasterData(f.db.knex, { skus: 5, warehouses: 2, unitCost: 1 });
    cheap = await seedMasterData(f.db.knex, { skus: 8, warehouses: 1, unitCost: 1 });
    expensive = await seedMasterData(f.db.knex, { skus: 1, warehouses: 1, unitCost: 500 });
    tokyo = await seedMasterData(f.db.knex, {
      skus: 1,
      warehouses: 1,
      unitCost: 1,
      hours: { start: '08:00', end: '18:00', weekend: false, timezone: 'Asia/Tokyo' },
    });
    redis = createRedis(TEST_REDIS_URL);
    sidecar = await startStreaming(f.config, { port: false, emailIntervalMs: 0 });

    const now = Date.now();
    const base = now - 40 * MIN;
    const wh = cheap.warehouses[0]!;
    const seq = (
      name: string,
      sku: string,
      warehouseId: string,
      build: (e: typeof makeEvent) => InventoryEvent[],
    ) => {
      crafted.set(name, { pair: [sku, warehouseId], events: build(makeEvent) });
    };
    const at = (i: number) => base + i * 10_000;
    const opening = (sku: string, warehouseId: string) =>
      makeEvent({ sku, warehouseId, eventType: 'RESTOCK', quantityChange: 5_000, timestamp: now - 3 * HOUR });

    seq('VOLUME_ZSCORE', cheap.skus[0]!, wh, (e) => [
      opening(cheap.skus[0]!, wh),
      ...Array.from({ length: 20 }, (_, i) =>
        e({ sku: cheap.skus[0]!, warehouseId: wh, quantityChange: i % 2 ? -1 : -3, timestamp: at(i) }),
      ),
      e({ sku: cheap.skus[0]!, warehouseId: wh, quantityChange: -6, timestamp: at(21) }),
    ]);
    const iqrHistory = [...Array<number>(16).fill(-5), -1, -1, -30, -30];
    seq('VOLUME_IQR', cheap.skus[1]!, wh, (e) => [
      opening(cheap.skus[1]!, wh),
      ...iqrHistory.map((q, i) =>
        e({ sku: cheap.skus[1]!, warehouseId: wh, quantityChange: q, timestamp: at(i) }),
      ),
      e({ sku: cheap.skus[1]!, warehouseId: wh, quantityChange: -8, timestamp: at(21) }),
    ]);
    seq('HIGH_VALUE', expensive.skus[0]!, expensive.warehouses[0]!, (e) => [
      // 100 · 500 = 50,000: a medium HIGH_VALUE. The two sales are medium too, repeats of the
      // open alert of the same rule and pair: anomalies, but no second alert.
      e({
        sku: expensive.skus[0]!,
        warehouseId: expensive.warehouses[0]!,
        eventType: 'RESTOCK',
        quantityChange: 100,
        timestamp: at(0),
      }),
      e({
        sku: expensive.skus[0]!,
        warehouseId: expensive.warehouses[0]!,
        quantityChange: -30,
        timestamp: at(1),
      }),
      e({
        sku: expensive.skus[0]!,
        warehouseId: expensive.warehouses[0]!,
        quantityChange: -25,
        timestamp: at(2),
      }),
    ]);
    seq('NEGATIVE_STOCK', cheap.skus[2]!, wh, (e) => [
      e({ sku: cheap.skus[2]!, warehouseId: wh, eventType: 'RESTOCK', quantityChange: 5, timestamp: at(0) }),
      e({ sku: cheap.skus[2]!, warehouseId: wh, quantityChange: -8, timestamp: at(1) }),
    ]);
    seq('RAPID_DEPLETION', cheap.skus[3]!, wh, (e) => [
      e({
        sku: cheap.skus[3]!,
        warehouseId: wh,
        eventType: 'RESTOCK',
        quantityChange: 100,
        timestamp: now - 2 * HOUR,
      }),
      ...Array.from({ length: 6 }, (_, i) =>
        e({ sku: cheap.skus[3]!, warehouseId: wh, quantityChange: -10, timestamp: base + i * MIN }),
      ),
    ]);
    seq('FREQUENCY_SPIKE', cheap.skus[4]!, wh, (e) => [
      opening(cheap.skus[4]!, wh),
      ...Array.from({ length: 30 }, (_, i) =>
        e({ sku: cheap.skus[4]!, warehouseId: wh, quantityChange: -1, timestamp: base + i * MIN }),
      ),
      ...Array.from({ length: 15 }, (_, i) =>
        e({
          sku: cheap.skus[4]!,
          warehouseId: wh,
          quantityChange: -1,
          timestamp: base + 30 * MIN + i * 2_000,
        }),
      ),
    ]);
    const tSku = tokyo.skus[0]!;
    const tWh = tokyo.warehouses[0]!;
    seq('AFTER_HOURS', tSku, tWh, (e) => [
      opening(tSku, tWh),
      e({
        sku: tSku,
        warehouseId: tWh,
        quantityChange: -1,
        timestamp: tokyoTime(now, 3, (d) => d >= 1 && d <= 5),
      }),
    ]);
    seq('WEEKEND_ACTIVITY', tSku, tWh, (e) => [
      e({ sku: tSku, warehouseId: tWh, quantityChange: -1, timestamp: tokyoTime(now, 12, (d) => d === 6) }),
    ]);
  });

  after(async function () {
    await sidecar?.close();
    for (const m of [normal, cheap, expensive, tokyo]) {
      const keys = m ? await redis.keys(`metrics:${m.prefix}-*`) : [];
      if (keys.length > 0) await redis.del(...keys);
    }
    await redis?.quit();
    await f?.close();
  });

  const anomaliesOf = (skus: string[]) =>
    f.db
      .knex('analytics.anomalies')
      .whereIn('sku', skus)
      .select('sku', 'warehouse_id', 'anomaly_type', 'severity', 'risk_score', 'event_id');

  it('raises no anomaly on ordinary generated traffic', async function () {
    const events = normalTraffic(normal, 3_000, { start: Date.now() - 45 * MIN, spacingMs: 800, seed: 3 });
    await produce(f.producer, topicNames(f.config).events, events);
    await waitFor(
      'the traffic in the ledger',
      async () =>
        Number(
          (
            await f.db.knex('inventory.inventory_transactions').whereIn('sku', normal.skus).count({ n: '*' })
          )[0]!.n,
        ) === events.length,
    );
    expect(await anomaliesOf(normal.skus)).to.deep.equal([]);
    expect(await f.db.knex('analytics.alerts').whereIn('sku', normal.skus)).to.deep.equal([]);
  });

  it('fires each SPEC §7 rule on the sequence crafted for it, with a severity and a 0–1 risk score', async function () {
    const all = [...crafted.values()].flatMap((c) => c.events);
    await produce(f.producer, topicNames(f.config).events, all);
    await waitFor(
      'the crafted events in the ledger',
      async () =>
        Number(
          (
            await f.db
              .knex('inventory.inventory_transactions')
              .whereIn(
                'event_id',
                all.map((e) => e.eventId),
              )
              .count({ n: '*' })
          )[0]!.n,
        ) === all.length,
    );
    const rows = await anomaliesOf([...cheap.skus, ...expensive.skus, ...tokyo.skus]);
    for (const [rule, { pair }] of crafted) {
      const mine = rows.filter((r) => r.sku === pair[0] && r.warehouse_id === pair[1]);
      expect(
        mine.map((r) => r.anomaly_type),
        rule,
      ).to.include(rule);
      for (const r of mine) {
        expect(['low', 'medium', 'high', 'critical']).to.include(r.severity);
        expect(r.risk_score).to.be.within(0, 1);
      }
    }
    const types = (rule: string) =>
      new Set(
        rows
          .filter(
            (r) => r.sku === crafted.get(rule)!.pair[0] && r.warehouse_id === crafted.get(rule)!.pair[1],
          )
          .map((r) => r.anomaly_type),
      );
    // The two volume rules are told apart by their sequences.
    expect([...types('VOLUME_ZSCORE')]).to.deep.equal(['VOLUME_ZSCORE']);
    expect([...types('VOLUME_IQR')]).to.deep.equal(['VOLUME_IQR']);
    expect(types('WEEKEND_ACTIVITY').has('WEEKEND_ACTIVITY')).to.equal(true);
    const metrics = await sidecar.metrics.registry.getSingleMetricAsString('anomalies_detected_total');
    for (const rule of crafted.keys()) expect(metrics).to.include(`type="${rule}"`);
  });

  it('alerts on medium+ anomalies and stock-out risk once per incident, publishes them, e-mails the urgent ones and caches metrics', async function () {
    const [sku, wh] = crafted.get('HIGH_VALUE')!.pair;
    const [negSku, negWh] = crafted.get('NEGATIVE_STOCK')!.pair;
    const alerts = await waitFor('alerts', async () => {
      const a = await f.db.knex('analytics.alerts').where({ source: 'streaming' });
      return a.some((x) => x.sku === negSku && x.alert_type === 'STOCKOUT_RISK') && a;
    });
    const highValue = alerts.filter(
      (a) => a.sku === sku && a.warehouse_id === wh && a.alert_type === 'HIGH_VALUE',
    );
    expect(highValue).to.have.length(1);
    expect(highValue[0].severity).to.equal('medium');
    const hvAnomalies = await f.db.knex('analytics.anomalies').where({ sku, anomaly_type: 'HIGH_VALUE' });
    expect(hvAnomalies).to.have.length(3);
    const negative = alerts.filter((a) => a.sku === negSku && a.warehouse_id === negWh);
    expect(negative.map((a) => a.alert_type)).to.include.members(['NEGATIVE_STOCK', 'STOCKOUT_RISK']);
    expect(negative.find((a) => a.alert_type === 'STOCKOUT_RISK').severity).to.equal('critical');
    // Low-severity anomalies are stored but never alerted.
    expect(alerts.map((a) => a.alert_type)).to.not.include.members(['AFTER_HOURS', 'WEEKEND_ACTIVITY']);

    // Each alert published once as it opened (escalations come in between, under the same id).
    const openings = async (n: number): Promise<string[]> => {
      const published = await readTopic(f.kafka, topicNames(f.config).alerts, n);
      const values = published.map(
        (p) => JSON.parse(p.value!.toString()) as { alertId: string; change: string },
      );
      const opened = values.filter((v) => v.change === 'opened').map((v) => v.alertId);
      return opened.length >= alerts.length ? opened : openings(n + alerts.length - opened.length);
    };
    expect((await openings(alerts.length)).sort()).to.deep.equal(alerts.map((a) => a.alert_id).sort());

    await waitFor('an alert e-mail in the outbox', async () => {
      const files = await readdir(path.join(f.config.DATA_DIR, 'outbox')).catch(() => []);
      return files.some((f) => f.endsWith('.eml'));
    });

    // The cache follows the committed levels within its refresh interval.
    const key = `metrics:${negSku}:${negWh}`;
    const cached = await waitFor('the pair in the metric cache at its committed level', async () => {
      const raw = await redis.get(key);
      const entry = raw === null ? undefined : (JSON.parse(raw) as Record<string, unknown>);
      return entry?.quantity_on_hand === -3 && entry;
    });
    expect(cached).to.include({ sku: negSku, warehouse_id: negWh, quantity_on_hand: -3 });
    expect(cached).to.have.property('stockout_risk');
    const ttl = await redis.ttl(key);
    expect(ttl).to.be.within(3_500, 3_600);
  });
});
