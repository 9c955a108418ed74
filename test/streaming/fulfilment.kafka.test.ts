import { expect } from 'chai';
import { waitFor } from '../support/wait.js';
import { topicNames } from '../../platform/index.js';
import { startStreaming, type StreamingSidecar } from '../../streaming/index.js';
import {
  ensureOpeningStock,
  eventsPerDay,
  generateMasterData,
  naturalRate,
  publishToKafka,
  writeMasterData,
  type PublishSummary,
} from '../../inventory/generator/index.js';
import { DEFAULT_RULE_PARAMS, QUALITY_RULES, runQualityRules } from '../../dags/data_quality/store/index.js';
import {
  ledgerMatchesLevels,
  openStreamingFixture,
  repeatedEventIds,
  type StreamingFixture,
} from './support.js';

const DAY_MS = 86_400_000;
/** Simulated days of trade the feed publishes: enough for orders to be picked, shipped and delivered. */
const DAYS = 8;

/**
 * The live feed to real Kafka and the sidecar back into PostgreSQL: inventory events with the
 * order, shipment and audit streams derived from them, on four topics, each consumed by its own
 * consumer group in one sidecar; afterwards the two pictures agree.
 */
describe('streaming the live feed’s four topics through Kafka', function () {
  let f: StreamingFixture;
  let sidecar: StreamingSidecar;
  let summary: PublishSummary;
  let started: number;
  let topics: ReturnType<typeof topicNames>;

  before(async function () {
    f = await openStreamingFixture();
    const master = generateMasterData({ seed: 5, skus: 6, warehouses: 2 });
    await writeMasterData(f.db.knex, master);
    const { levels } = await ensureOpeningStock(f.db.knex, master, {
      seed: 5,
      at: new Date(Date.now() - 9 * DAY_MS),
    });
    sidecar = await startStreaming(f.config, { port: false });
    topics = topicNames(f.config);
    const count = Math.ceil(DAYS * eventsPerDay(master));
    started = Date.now() - DAYS * DAY_MS;
    // A time-lapse: DAYS of trade stamped at the natural rate in simulated time, ending now.
    summary = await publishToKafka(f.kafka, topics.events, {
      seed: 5,
      master,
      levels,
      rate: Infinity,
      eventTime: { start: started, rate: naturalRate(master) },
      count,
      fulfilmentTopics: { orders: topics.orders, shipments: topics.shipments, audit: topics.audit },
    });
  });

  after(async function () {
    await sidecar?.close();
    await f?.close();
  });

  it('applies every published event of the four topics once, nothing dead-lettered, and settles only the topics’ own copies as duplicates', async function () {
    expect(summary.fulfilment).to.be.greaterThan(100);
    const t = sidecar.fulfilmentTotals;
    const applied = () => t.orders.applied + t.shipments.applied + t.audit.applied;
    await waitFor(
      'every event applied',
      () => sidecar.totals.applied === summary.events && applied() === summary.fulfilment,
      { timeoutMs: 60_000 },
    );
    // Duplicates are only the copies the topic holds (a retried produce request writes again).
    for (const [s, topic] of [
      [sidecar.totals, topics.events],
      [t.orders, topics.orders],
      [t.shipments, topics.shipments],
      [t.audit, topics.audit],
    ] as const)
      expect(s, topic).to.include({ dlq: 0, duplicates: await repeatedEventIds(topic) });
    const { rows } = await f.db.knex.raw(`
      SELECT (SELECT count(*) FROM inventory.order_events)::int + (SELECT count(*) FROM inventory.shipment_events)::int
           + (SELECT count(*) FROM inventory.audit_events)::int AS events,
             (SELECT count(*) FROM inventory.order_lines WHERE picked_at IS NOT NULL)::int AS picked,
             (SELECT count(*) FROM inventory.shipments WHERE delivered_at IS NOT NULL)::int AS delivered`);
    expect(rows[0].events).to.equal(summary.fulfilment);
    expect(rows[0].picked).to.be.greaterThan(0);
    expect(rows[0].delivered).to.be.greaterThan(0);
    expect(await ledgerMatchesLevels(f.db.knex)).to.equal(true);
  });

  it('leaves the order stream and the ledger in agreement: both reconciliation rules pass', async function () {
    const rules = QUALITY_RULES.consistency.filter((r) =>
      ['reservation_without_order_line', 'order_line_without_reservation'].includes(r.id),
    );
    const lag = 15 * 60_000;
    const results = await runQualityRules(f.db.knex, rules, {
      checkRunKey: 'live-feed',
      start: new Date(started + lag),
      end: new Date(Date.now() + lag),
      params: DEFAULT_RULE_PARAMS,
    });
    for (const r of results) {
      expect(r.checked_count, r.rule_id).to.be.greaterThan(10);
      expect(r, r.rule_id).to.include({ passed: true, failing_count: 0 });
    }
  });
});
