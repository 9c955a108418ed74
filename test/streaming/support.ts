import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { Knex } from 'knex';
import { createLogger, loadConfig, topicNames, type Config, type TopicNames } from '../../platform/index.js';
import { startStreaming, type StreamingOptions, type StreamingSidecar } from '../../streaming/index.js';
import { kafkajsBroker, memoryBroker, type MemoryBroker } from '../../streaming/transport/index.js';
import type { InventoryEvent } from '../../inventory/events/index.js';
import type { AlertRow } from '../../inventory/alerts/index.js';
import type { FulfilmentStream } from '../../inventory/fulfilment/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { waitFor } from '../support/wait.js';
import { TEST_KAFKA_BROKERS, TEST_REDIS_URL, testTopicSuffix, uniqueSuffix } from '../support/isolation.js';

/** Master data of one test: SKUs and warehouses with a random prefix (Redis keys stay apart). */
export interface TestMaster {
  prefix: string;
  skus: string[];
  warehouses: string[];
}

export async function seedMasterData(
  knex: Knex,
  options: {
    skus?: number;
    warehouses?: number;
    unitCost?: number;
    leadTimeDays?: number;
    /** Warehouse hours; the default is open around the clock, every day. */
    hours?: { start: string; end: string; weekend: boolean; timezone?: string };
  } = {},
): Promise<TestMaster> {
  const prefix = `T${uniqueSuffix().toUpperCase()}`;
  const skus = Array.from(
    { length: options.skus ?? 4 },
    (_, i) => `${prefix}-SKU-${String(i + 1).padStart(3, '0')}`,
  );
  const warehouses = Array.from(
    { length: options.warehouses ?? 2 },
    (_, i) => `${prefix}-WH-${String(i + 1).padStart(3, '0')}`,
  );
  await knex('inventory.products').insert(
    skus.map((sku) => ({
      sku,
      name: `Product ${sku}`,
      category: 'test',
      unit_cost: options.unitCost ?? 10,
      unit_price: (options.unitCost ?? 10) * 1.5,
      lead_time_days: options.leadTimeDays ?? 7,
    })),
  );
  const hours = options.hours ?? { start: '00:00', end: '23:59:59.999', weekend: true };
  await knex('inventory.warehouses').insert(
    warehouses.map((warehouse_id) => ({
      warehouse_id,
      name: `Warehouse ${warehouse_id}`,
      zone: 'EU',
      capacity: 100_000,
      timezone: hours.timezone ?? 'UTC',
      business_hours_start: hours.start,
      business_hours_end: hours.end,
      weekend_operation: hours.weekend,
    })),
  );
  return { prefix, skus, warehouses };
}

export function makeEvent(
  overrides: Partial<InventoryEvent> & Pick<InventoryEvent, 'sku' | 'warehouseId'>,
): InventoryEvent {
  return {
    eventId: randomUUID(),
    eventType: 'SALE',
    quantityChange: -1,
    timestamp: new Date().toISOString(),
    referenceId: `ORDER-${uniqueSuffix()}`,
    ...overrides,
  };
}

/** Test isolation for one file: its own topics, consumer group, data dir. */
export function streamingConfig(databaseUrl: string, extra: Record<string, string> = {}): Config {
  return loadConfig({
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','),
    KAFKA_TOPIC_SUFFIX: testTopicSuffix(),
    KAFKA_GROUP_ID: `wftest-streaming-${uniqueSuffix()}`,
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'wareflow-streaming-')),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...extra,
  });
}

/** The environment a child `wareflow streaming` process needs to run with `config`. */
export function streamingEnv(config: Config, port: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: config.DATABASE_URL,
    REDIS_URL: config.REDIS_URL,
    KAFKA_BROKERS: config.KAFKA_BROKERS.join(','),
    KAFKA_TOPIC_SUFFIX: config.KAFKA_TOPIC_SUFFIX,
    KAFKA_GROUP_ID: config.KAFKA_GROUP_ID,
    DATA_DIR: config.DATA_DIR,
    STREAMING_PORT: String(port),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
  };
}

export function testKafka(): Kafka {
  return new Kafka({ clientId: 'wareflow-test', brokers: TEST_KAFKA_BROKERS, logLevel: logLevel.NOTHING });
}

export async function connectProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  return producer;
}

/** What a streaming spec runs against: a database, topics and a consumer group of its own. */
export interface StreamingFixture {
  db: TestDatabase;
  config: Config;
  kafka: Kafka;
  /** Connected; publishes to any topic. */
  producer: Producer;
  /** Disconnects the producer and drops the database; call from `after`, after the sidecars. */
  close(): Promise<void>;
}

export async function openStreamingFixture(): Promise<StreamingFixture> {
  const db = await createTestDatabase();
  const kafka = testKafka();
  const producer = await connectProducer(kafka).catch(async (err: unknown) => {
    await db.drop();
    throw err;
  });
  return {
    db,
    config: streamingConfig(db.url),
    kafka,
    producer,
    async close() {
      await producer.disconnect();
      await db.drop();
    },
  };
}

/** Publishes events (keyed sku:warehouseId) or raw values in order, in chunks. */
export async function produce(
  producer: Producer,
  topic: string,
  items: Array<InventoryEvent | { key?: string | null; value: Buffer | string | null }>,
  chunk = 2_000,
): Promise<void> {
  for (let i = 0; i < items.length; i += chunk) {
    await producer.send({
      topic,
      messages: items
        .slice(i, i + chunk)
        .map((item) =>
          'eventId' in item
            ? { key: `${item.sku}:${item.warehouseId}`, value: JSON.stringify(item) }
            : { key: item.key ?? null, value: item.value },
        ),
    });
  }
}

/** Every message of a topic (from the beginning) until `count` have been read. */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<Array<{ key: string | null; value: Buffer | null; headers: Record<string, string> }>> {
  const consumer = kafka.consumer({ groupId: `wftest-reader-${uniqueSuffix()}` });
  const out: Array<{ key: string | null; value: Buffer | null; headers: Record<string, string> }> = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${out.length} of ${count} messages from ${topic}`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
          out.push({ key: message.key?.toString() ?? null, value: message.value, headers });
          if (out.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/**
 * The messages of a topic that repeat an earlier message's eventId: the copies a producer's retry
 * wrote (a retried request writes again what the broker had already appended), which the sidecar
 * must settle as duplicates. Read with the sidecar's own whole-topic reader.
 */
export async function repeatedEventIds(topic: string): Promise<number> {
  const broker = kafkajsBroker(TEST_KAFKA_BROKERS, createLogger({ level: 'silent' }));
  const ids = (await broker.readTopic(topic)).map((m) => JSON.parse(String(m.value)).eventId);
  return ids.length - new Set(ids).size;
}

/** Sum of quantity changes per pair from the ledger vs. the levels table. */
export async function ledgerMatchesLevels(knex: Knex): Promise<boolean> {
  const { rows } = await knex.raw(`
    SELECT count(*)::int AS mismatches FROM (
      SELECT sku, warehouse_id,
             sum(CASE WHEN event_type IN ('RESERVATION','RESERVATION_RELEASE') THEN 0 ELSE quantity_change END) AS on_hand,
             sum(CASE WHEN event_type IN ('RESERVATION','RESERVATION_RELEASE') THEN quantity_change ELSE 0 END) AS reserved
        FROM inventory.inventory_transactions GROUP BY 1, 2) t
    FULL JOIN inventory.inventory_levels l USING (sku, warehouse_id)
    WHERE t.on_hand IS DISTINCT FROM l.quantity_on_hand OR t.reserved IS DISTINCT FROM l.quantity_reserved`);
  return rows[0].mismatches === 0;
}

/**
 * Closed windows whose figures differ from a recount of the ledger over the same range. Only
 * windows without late events are comparable (late events are counted, not added).
 */
export async function windowMismatches(knex: Knex): Promise<{ windows: number; mismatches: unknown[] }> {
  const { rows } = await knex.raw(`
    SELECT w.window_kind, w.window_start, w.sku, w.warehouse_id, w.event_count, r.n,
           w.units_in, r.units_in AS r_in, w.units_out, r.units_out AS r_out,
           w.min_change, r.min_change AS r_min, w.max_change, r.max_change AS r_max,
           w.p50_change, r.p50 AS r_p50, w.p95_change, r.p95 AS r_p95
      FROM analytics.stream_windows w
      CROSS JOIN LATERAL (
        SELECT count(*)::int AS n,
               coalesce(sum(greatest(quantity_change, 0)), 0)::int AS units_in,
               coalesce(sum(greatest(-quantity_change, 0)), 0)::int AS units_out,
               min(quantity_change) AS min_change, max(quantity_change) AS max_change,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY quantity_change) AS p50,
               percentile_cont(0.95) WITHIN GROUP (ORDER BY quantity_change) AS p95
          FROM inventory.inventory_transactions t
         WHERE t.sku = w.sku AND t.warehouse_id = w.warehouse_id
           AND t.occurred_at >= w.window_start AND t.occurred_at < w.window_end) r
     WHERE w.late_events = 0`);
  const mismatches = rows.filter(
    (r: Record<string, number | null>) =>
      r.event_count !== r.n ||
      r.units_in !== r.r_in ||
      r.units_out !== r.r_out ||
      r.min_change !== r.r_min ||
      r.max_change !== r.r_max ||
      Math.abs((r.p50_change ?? 0) - (r.r_p50 ?? 0)) > 1e-9 ||
      Math.abs((r.p95_change ?? 0) - (r.r_p95 ?? 0)) > 1e-9,
  );
  return { windows: rows.length, mismatches };
}

/** A database with master data and one sidecar on an in-memory broker (no Kafka). */
export interface MemorySidecar {
  db: TestDatabase;
  m: TestMaster;
  config: Config;
  topics: TopicNames;
  broker: MemoryBroker;
  sidecar: StreamingSidecar;
}

export interface MemorySidecarOptions {
  /** The master data to seed (`seedMasterData`'s defaults where left out). */
  master?: Parameters<typeof seedMasterData>[1];
  /** Options of the sidecar besides its broker and port (retries after 10 and 50 ms by default). */
  streaming?: Omit<StreamingOptions, 'broker' | 'port'>;
}

/**
 * A `MemorySidecar` for the enclosing suite: opened before its first spec (handed to `use`),
 * closed and dropped after its last.
 */
export function useMemorySidecar(use: (f: MemorySidecar) => void, options: MemorySidecarOptions = {}): void {
  let f: Partial<MemorySidecar> = {};
  before(async function () {
    const db = await createTestDatabase();
    f = { db };
    const m = await seedMasterData(db.knex, options.master);
    const config = streamingConfig(db.url);
    const broker = memoryBroker();
    const sidecar = await startStreaming(config, {
      broker,
      port: false,
      retryDelayMs: [10, 50],
      ...options.streaming,
    });
    f = { db, m, config, topics: topicNames(config), broker, sidecar };
    use(f as MemorySidecar);
  });
  after(async function () {
    await f.sidecar?.close();
    await f.db?.drop();
  });
}

const HOUR_MS = 3_600_000;

/** A `MemorySidecar` for the order, shipment and audit specs, with their clock and their sender. */
export interface FulfilmentSidecar extends MemorySidecar {
  /** Event time of the specs' "now": two days ago, on the hour, so two days of events still lie ahead. */
  B: number;
  /** An instant (epoch ms) as the contract's ISO text. */
  at(ms: number): string;
  /**
   * Publishes `items` to the stream's topic, each keyed by its order, shipment or audited entity,
   * and waits until the sidecar has settled every message sent to that stream.
   */
  send(stream: FulfilmentStream, items: Array<Record<string, unknown>>): Promise<void>;
  /**
   * Holds the stream's consumer: what is sent to it stays in the topic, unapplied, and `send`
   * does not wait for it. The returned function lets the consumer go on and waits until it has
   * settled everything sent.
   */
  hold(stream: FulfilmentStream): () => Promise<void>;
  /** The stored alerts of one type and subject, oldest first. */
  alertsOf(type: string, subjectId: string): Promise<AlertRow[]>;
}

const keyOf = (stream: FulfilmentStream, b: Record<string, unknown>) =>
  String(
    stream === 'orders'
      ? b.orderId
      : stream === 'shipments'
        ? b.shipmentId
        : `${b.entity ?? 'stock'}:${b.entityId ?? `${b.sku}:${b.warehouseId}`}`,
  );

/**
 * A `FulfilmentSidecar` for the enclosing suite (see `useMemorySidecar`; chunks of 200 unless
 * `options.streaming` says otherwise). Its database, master data and sidecar are there from the
 * suite's first spec on; `B`, `at`, `send` and `alertsOf` may be taken at once.
 */
export function fulfilmentSidecar(options: MemorySidecarOptions = {}): FulfilmentSidecar {
  const sent: Record<FulfilmentStream, number> = { orders: 0, shipments: 0, audit: 0 };
  const held = new Set<FulfilmentStream>();
  const settled = (stream: FulfilmentStream) => {
    const t = f.sidecar.fulfilmentTotals[stream];
    return waitFor(`${stream} settled`, () => t.applied + t.duplicates + t.dlq >= sent[stream]);
  };
  const f = {
    B: Math.floor((Date.now() - 48 * HOUR_MS) / HOUR_MS) * HOUR_MS,
    at: (ms: number) => new Date(ms).toISOString(),
    async send(stream: FulfilmentStream, items: Array<Record<string, unknown>>) {
      const publisher = await f.broker.publisher();
      await publisher.send(
        f.topics[stream],
        items.map((b) => ({ key: keyOf(stream, b), value: JSON.stringify(b) })),
      );
      await publisher.close();
      sent[stream] += items.length;
      if (!held.has(stream)) await settled(stream);
    },
    hold(stream: FulfilmentStream) {
      const release = f.broker.hold(`${f.config.KAFKA_GROUP_ID}.${stream}`);
      held.add(stream);
      return async () => {
        held.delete(stream);
        release();
        await settled(stream);
      };
    },
    alertsOf: (type: string, subjectId: string): Promise<AlertRow[]> =>
      f.db.knex('analytics.alerts').where({ alert_type: type, subject_id: subjectId }).orderBy('id'),
  } as FulfilmentSidecar;
  useMemorySidecar((s) => Object.assign(f, s), {
    ...options,
    streaming: { chunkSize: 200, ...options.streaming },
  });
  return f;
}
