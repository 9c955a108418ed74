import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import {
  OffsetConflictError,
  writeChunkOutputs,
  type AlertRow,
  type AnomalyRow,
} from '../../streaming/store/index.js';
import { topicNames } from '../../platform/index.js';
import { startStreaming, type StreamingSidecar } from '../../streaming/index.js';
import { causeId, uuidV5 } from '../../streaming/pipeline/index.js';
import { waitFor } from '../support/wait.js';
import {
  makeEvent,
  openStreamingFixture,
  produce,
  readTopic,
  seedMasterData,
  type StreamingFixture,
  type TestMaster,
} from './support.js';

describe('streaming: anomaly and alert ids come from what caused them', function () {
  this.timeout(120_000);
  let f: StreamingFixture;
  let master: TestMaster;
  let sidecar: StreamingSidecar;

  before(async function () {
    f = await openStreamingFixture();
    master = await seedMasterData(f.db.knex, { skus: 1, warehouses: 1, unitCost: 500 });
  });

  after(async function () {
    await sidecar?.close();
    await f?.close();
  });

  it('are name-based UUIDs (RFC 4122 version 5), one per cause', function () {
    // The RFC's own example: www.example.com in the DNS name space.
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).to.equal(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
    const event = randomUUID();
    expect(causeId('alert', 'HIGH_VALUE', event)).to.equal(
      causeId('alert', 'HIGH_VALUE', event.toUpperCase()),
    );
    const ids = new Set([
      causeId('alert', 'HIGH_VALUE', event),
      causeId('anomaly', 'HIGH_VALUE', event),
      causeId('alert', 'NEGATIVE_STOCK', event),
      causeId('alert', 'HIGH_VALUE', randomUUID()),
    ]);
    expect(ids.size).to.equal(4);
  });

  it('a chunk whose commit fails is retried and republishes its alerts under the same ids, stored once', async function () {
    // PostgreSQL refuses the first commit that carries an alert, after the chunk has published
    // its alerts (a deferred trigger fires at COMMIT; ALWAYS, because the chunk's transaction
    // runs in a session with session_replication_role = replica).
    await f.db.knex.raw(`
      CREATE SEQUENCE public.alert_commits;
      CREATE FUNCTION public.fail_first_alert_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('public.alert_commits') = 1 THEN RAISE EXCEPTION 'refusing the first commit'; END IF;
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER fail_first_alert_commit AFTER INSERT ON analytics.alerts
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.fail_first_alert_commit();
      ALTER TABLE analytics.alerts ENABLE ALWAYS TRIGGER fail_first_alert_commit;`);
    sidecar = await startStreaming(f.config, { port: false, retryDelayMs: [50, 400] });

    const [sku, warehouseId] = [master.skus[0]!, master.warehouses[0]!];
    const t = Date.now() - 10 * 60_000;
    // 30 · 500 = 15,000 received: HIGH_VALUE (medium, alerted). Then 40 sold: NEGATIVE_STOCK
    // (high, alerted), HIGH_VALUE again (inside its cooldown: an anomaly, no alert), and the
    // pair's stock-out risk (critical, alerted).
    const restock = makeEvent({ sku, warehouseId, eventType: 'RESTOCK', quantityChange: 30, timestamp: t });
    const sale = makeEvent({ sku, warehouseId, quantityChange: -40, timestamp: t + 1_000 });
    await produce(f.producer, topicNames(f.config).events, [restock, sale]);

    const alerts = await waitFor('the alerts, committed', async () => {
      const rows = await f.db.knex('analytics.alerts').orderBy('id');
      return rows.length >= 3 && rows;
    });
    expect(sidecar.totals.retries).to.be.at.least(1);
    expect(alerts.map((a) => [a.alert_type, a.alert_id])).to.deep.equal([
      ['HIGH_VALUE', causeId('alert', 'HIGH_VALUE', restock.eventId)],
      ['NEGATIVE_STOCK', causeId('alert', 'NEGATIVE_STOCK', sale.eventId)],
      ['STOCKOUT_RISK', causeId('alert', 'STOCKOUT_RISK', sale.eventId)],
    ]);
    const anomalies = await f.db.knex('analytics.anomalies').orderBy('id');
    for (const a of anomalies) expect(a.anomaly_id).to.equal(causeId('anomaly', a.anomaly_type, a.event_id));
    expect(alerts[1].details.anomalyId).to.equal(causeId('anomaly', 'NEGATIVE_STOCK', sale.eventId));

    // Both attempts published: every alert twice, under the id of its row.
    const published = await readTopic(f.kafka, topicNames(f.config).alerts, 2 * alerts.length);
    const times = new Map<string, number>();
    for (const m of published) {
      const id = JSON.parse(m.value!.toString()).alertId as string;
      times.set(id, (times.get(id) ?? 0) + 1);
    }
    expect(Object.fromEntries(times)).to.deep.equal(Object.fromEntries(alerts.map((a) => [a.alert_id, 2])));
  });

  /** A HIGH_VALUE anomaly of the first pair, caused by `eventId`. */
  const highValueAnomaly = (eventId: string): AnomalyRow => ({
    anomalyId: causeId('anomaly', 'HIGH_VALUE', eventId),
    eventId,
    sku: master.skus[0]!,
    warehouseId: master.warehouses[0]!,
    anomalyType: 'HIGH_VALUE',
    severity: 'medium',
    riskScore: 0.4,
    details: {},
    occurredAt: new Date(),
  });

  it('writing the same chunk outputs twice leaves one row per anomaly and alert', async function () {
    const [sku, warehouseId] = [master.skus[0]!, master.warehouses[0]!];
    const eventId = randomUUID();
    const anomaly = highValueAnomaly(eventId);
    const alert: AlertRow = {
      alertId: causeId('alert', 'HIGH_VALUE', eventId),
      alertType: 'HIGH_VALUE',
      severity: 'medium',
      source: 'streaming',
      sku,
      warehouseId,
      message: 'high value',
      details: { eventId },
      dedupKey: `HIGH_VALUE:${sku}:${warehouseId}`,
      // Event time, as the stream writes it: a repeat of the same detection changes nothing.
      openedAt: new Date(),
      lastSeenAt: new Date(),
    };
    const write = (expectedNextOffset: string | null) =>
      f.db.knex.transaction((trx) =>
        writeChunkOutputs(trx, {
          anomalies: [anomaly],
          closedWindows: [],
          lateWindows: [],
          newAlerts: [alert],
          alertUpdates: [],
          groupId: 'cause-ids-test',
          topic: 'inventory-events',
          expectedNextOffset,
          progress: { partition: 0, nextOffset: '1', maxEventTime: null },
        }),
      );
    // The pair may already have its HIGH_VALUE alert open (the spec above): then this one folds
    // into it, once.
    const open = () =>
      f.db.knex('analytics.alerts').where({ dedup_key: alert.dedupKey }).whereNull('resolved_at');
    const before = (await open())[0]?.occurrences ?? 0;
    await write(null);
    await write('1');
    expect(await f.db.knex('analytics.anomalies').where({ anomaly_id: anomaly.anomalyId })).to.have.length(1);
    const after = await open();
    expect(after).to.have.length(1);
    expect(after[0].occurrences).to.equal(before + 1);
  });

  it('refuses chunk outputs that start from an offset the partition has moved on from, and writes none of them', async function () {
    const eventIds: string[] = [];
    const write = (expectedNextOffset: string | null, nextOffset: string, eventId = randomUUID()) => {
      eventIds.push(eventId);
      return f.db.knex.transaction((trx) =>
        writeChunkOutputs(trx, {
          anomalies: [highValueAnomaly(eventId)],
          closedWindows: [],
          lateWindows: [],
          newAlerts: [],
          alertUpdates: [],
          groupId: 'fence-test',
          topic: 'inventory-events',
          expectedNextOffset,
          progress: { partition: 3, nextOffset, maxEventTime: null },
        }),
      );
    };
    const offsets = async () =>
      (await f.db.knex('streaming.consumer_offsets').where({ group_id: 'fence-test', partition: 3 })).map(
        (r: { next_offset: string | number }) => String(r.next_offset),
      );
    await write(null, '10');
    // A second writer that also started with nothing stored, then one that started at 5.
    expect(await write(null, '20').catch((e: unknown) => e)).to.be.instanceOf(OffsetConflictError);
    expect(await write('5', '20').catch((e: unknown) => e)).to.be.instanceOf(OffsetConflictError);
    expect(await offsets()).to.deep.equal(['10']);
    const anomalies = await f.db.knex('analytics.anomalies').whereIn('event_id', eventIds).pluck('event_id');
    expect(anomalies).to.deep.equal([eventIds[0]]);
    await write('10', '20');
    expect(await offsets()).to.deep.equal(['20']);
  });
});

describe('streaming: a stock-out alert is raised after the change that causes it', function () {
  this.timeout(120_000);
  const fixtures: StreamingFixture[] = [];
  const sidecars: StreamingSidecar[] = [];

  after(async function () {
    for (const s of sidecars) await s.close();
    for (const f of fixtures) await f.close();
  });

  /**
   * Runs 100 received, then ten sales of 10, through a sidecar that applies `chunkSize` events per
   * transaction; returns each stock-out alert as [index of its cause event, severity, occurrences].
   */
  async function stockoutAlerts(chunkSize: number): Promise<Array<[number, string, number]>> {
    const f = await openStreamingFixture();
    fixtures.push(f);
    const master = await seedMasterData(f.db.knex, { skus: 1, warehouses: 1, leadTimeDays: 7 });
    const [sku, warehouseId] = [master.skus[0]!, master.warehouses[0]!];
    const t = Date.now() - 10 * 60_000;
    // Last night's forecast for the pair: 70 ± 10 over its 7-day lead time, on twelve weeks of sales.
    await f.db.knex('analytics.lead_time_demand').insert({
      sku,
      warehouse_id: warehouseId,
      as_of_date: new Date(t - 86_400_000).toISOString().slice(0, 10),
      lead_time_days: 7,
      mean: 70,
      sigma: 10,
      model: 'holt_winters',
      training_days: 84,
      band_level: 0.8,
      daily_mean: new Array(7).fill(10),
      daily_lower: new Array(7).fill(5),
      daily_upper: new Array(7).fill(15),
    });
    const events = [
      makeEvent({ sku, warehouseId, eventType: 'RESTOCK', quantityChange: 100, timestamp: t }),
      ...Array.from({ length: 10 }, (_, i) =>
        makeEvent({ sku, warehouseId, quantityChange: -10, timestamp: t + (i + 1) * 1_000 }),
      ),
    ];
    const sidecar = await startStreaming(f.config, { port: false, chunkSize });
    sidecars.push(sidecar);
    await produce(f.producer, topicNames(f.config).events, events);
    await waitFor('every event applied', async () => sidecar.totals.applied === events.length);
    const alerts = await f.db.knex('analytics.alerts').where({ alert_type: 'STOCKOUT_RISK' }).orderBy('id');
    return alerts.map((a) => {
      const cause = events.findIndex((e) => causeId('alert', 'STOCKOUT_RISK', e.eventId) === a.alert_id);
      return [cause, a.severity as string, a.occurrences as number];
    });
  }

  it('one alert, named after the event that opened it and escalated in place, however the events were cut into chunks', async function () {
    const oneByOne = await stockoutAlerts(1);
    // available 100 → 0 in steps of 10 against last night's forecast: the calibrated stock-out
    // probability reaches the alert threshold on the way, and nothing left is critical — one
    // incident that escalates, seen after each of the sales from its opening on.
    expect(oneByOne).to.have.length(1);
    const [[cause, severity, occurrences]] = oneByOne as [[number, string, number]];
    expect(severity).to.equal('critical');
    expect(cause).to.be.within(1, 9);
    expect(occurrences).to.equal(10 - cause + 1);
    // All eleven events in one chunk: the same alerts, caused by the same events.
    expect(await stockoutAlerts(1_000)).to.deep.equal(oneByOne);
  });
});
