/**
 * `npm run bench -- stream-chunks [--events N] [--rate R] [--seconds S] [--tick-ms T] [--skus N] [--warehouses N] [--keep]`
 *
 * What a chunk costs, apart from Kafka and from how fast the machine happens to be: the inventory
 * chunk runner (`Ingestor`, the sidecar's own code, with its PostgreSQL pool, Redis metric cache
 * and kafkajs publisher) is handed the batches a consumer would hand it, in this process, through
 * the sidecar's per-partition lanes:
 *
 * 1. full speed — N generated events (event time over the last 30 minutes, as in the streaming
 *    benchmark) offered at once: each partition's backlog is cut into chunks of about 5,000;
 * 2. steady — R events/s for S seconds of event time from now, each partition's share of every
 *    T ms handed over as one batch (what a fetch that waits T ms for too few bytes brings), the
 *    next once it is committed: chunks of R × T / 6000 events however busy the machine is. Wall
 *    time follows the machine, so the metric cache (written every 5 s of wall time) and the
 *    consumer's polling, both costs per second rather than per event, are not what it measures.
 *
 * Printed per phase: CPU per event of this process and of its PostgreSQL backends (from /proc),
 * the chunks and their mean size, and — when the server has `pg_stat_statements` loaded and
 * created in its `postgres` database — each top-level statement's share of the backends'
 * execution time, per chunk and per event. The streaming benchmark measures the same pipeline
 * behind a real consumer; this one tells the per-chunk and per-pair costs apart.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { randomBytes } from 'node:crypto';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import type { Knex } from 'knex';
import {
  createKnex,
  createLogger,
  createMailer,
  createRedis,
  loadConfig,
  topicNames,
} from '../platform/index.js';
import { ensureDatabase, migrateLatest } from '../db/index.js';
import { liveEvents, toKafkaMessage } from '../inventory/generator/index.js';
import { AlertMailer, Ingestor, MasterData } from '../streaming/pipeline/index.js';
import { createStreamingMetrics } from '../streaming/metrics.js';
import { SIDECAR_SESSION_SQL } from '../streaming/store/index.js';
import {
  PartitionLanes,
  kafkajsBroker,
  type InboundBatch,
  type InboundMessage,
} from '../streaming/transport/index.js';
import { cpuSeconds } from './processCpu.js';
import { seedBusyCatalogue, storedLevels } from './streamingSupport.js';
import { ensureBenchTopics } from './topics.js';

const log = (msg: string) => process.stderr.write(`[bench stream-chunks] ${msg}\n`);
const PARTITIONS = 6;
const APP = 'wareflow-streaming';

export interface StreamChunksOptions {
  events: number;
  rate: number;
  seconds: number;
  tickMs: number;
  skus: number;
  warehouses: number;
  /**
   * Where the steady traffic's generator starts: the levels stored after the first phase (as the
   * streaming bench), or the opening stock (which sells pairs the first phase left at zero into
   * negative stock: a NEGATIVE_STOCK anomaly and an alert update per such sale).
   */
  steadyLevels: 'opening' | 'stored';
  /** A directory to write each phase's V8 CPU profile to (`<phase>.cpuprofile`). */
  profile?: string;
  keep: boolean;
}

type Encoded = { key: string; value: string };

/** The partition kafkajs's default partitioner gives each key, so pairs share partitions as in Kafka. */
function partitionOf(): (key: string) => number {
  const choose = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
  return (key) => choose({ topic: 't', partitionMetadata, message: { key, value: null } });
}

/** The server's statement statistics, when `pg_stat_statements` is there (else undefined). */
async function statementStats(admin: Knex) {
  const reset = async () => {
    await admin.raw('SELECT pg_stat_statements_reset()');
  };
  try {
    await reset();
  } catch {
    return undefined;
  }
  const read = async (dbName: string) => {
    const { rows } = await admin.raw<{
      rows: Array<{ query: string; calls: string; ms: number; rows: string }>;
    }>(
      `SELECT regexp_replace(left(query, 70), '\\s+', ' ', 'g') AS query, calls, total_exec_time AS ms, rows
         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
        WHERE d.datname = ? AND toplevel ORDER BY total_exec_time DESC LIMIT 14`,
      [dbName],
    );
    return rows;
  };
  return { reset, read };
}

/** Rows written and updated per table family (partitions summed), and how many updates were HOT. */
async function tableCounts(knex: Knex): Promise<Map<string, { ins: number; upd: number; hot: number }>> {
  // Backends report their counts at most once a second.
  await new Promise((r) => setTimeout(r, 1_500));
  const { rows } = await knex.raw<{ rows: Array<{ t: string; ins: string; upd: string; hot: string }> }>(
    `SELECT regexp_replace(relname, '_(p[0-9]{6}|default)$', '') AS t, sum(n_tup_ins) AS ins,
            sum(n_tup_upd) AS upd, sum(n_tup_hot_upd) AS hot
       FROM pg_stat_user_tables
      WHERE relname ~ '^(inventory_levels|alerts|anomalies|stream_windows|ledger_event_ids|consumer_offsets)'
      GROUP BY 1`,
  );
  return new Map(rows.map((r) => [r.t, { ins: Number(r.ins), upd: Number(r.upd), hot: Number(r.hot) }]));
}

/** CPU seconds of this process, and of the database's backends serving the chunk runner. */
async function cpuProbe(knex: Knex, dbName: string) {
  const backends = async () =>
    (
      await knex('pg_stat_activity')
        .where({ datname: dbName, application_name: APP })
        .select<Array<{ pid: number }>>('pid')
    ).map((r) => r.pid);
  const startPids = await backends();
  const start = new Map(startPids.map((p) => [p, cpuSeconds(p) ?? 0]));
  const self = process.cpuUsage();
  return async () => {
    const pids = new Set([...startPids, ...(await backends())]);
    let postgres = 0;
    for (const p of pids) postgres += (cpuSeconds(p) ?? start.get(p) ?? 0) - (start.get(p) ?? 0);
    const used = process.cpuUsage(self);
    return { node: (used.user + used.system) / 1e6, postgres, backends: pids.size };
  };
}

export async function run(options: StreamChunksOptions): Promise<void> {
  const { events: N, rate, seconds, tickMs, skus, warehouses, keep } = options;
  const base = loadConfig();
  const dbName = `wareflow_bench_chunks_${randomBytes(4).toString('hex')}`;
  const dbUrl = new URL(base.DATABASE_URL);
  dbUrl.pathname = `/${dbName}`;
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: dbUrl.toString(),
    KAFKA_TOPIC_SUFFIX: `.bench-${randomBytes(4).toString('hex')}`,
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'wareflow-bench-')),
  });
  const topics = topicNames(config);
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', name: 'streaming' });
  const kafka = new Kafka({ clientId: 'bench', brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING });
  const admin = createKnex(base.DATABASE_URL.replace(/\/[^/]*$/, '/postgres'), { poolMax: 1 });
  await ensureDatabase(config.DATABASE_URL, (u) => createKnex(u, { poolMax: 1 }));
  const knex = createKnex(config.DATABASE_URL, { poolMax: 2 });
  const db = createKnex(config.DATABASE_URL, {
    poolMax: 9,
    applicationName: APP,
    onConnect: SIDECAR_SESSION_SQL,
  });
  const redis = createRedis(config.REDIS_URL);
  const broker = kafkajsBroker(config.KAFKA_BROKERS, logger, 'bench');
  const closers: Array<() => Promise<unknown>> = [];
  try {
    await migrateLatest(knex);
    const { master, levels } = await seedBusyCatalogue(knex, { skus, warehouses });
    await ensureBenchTopics(kafka, topics);
    const publisher = await broker.publisher();
    closers.push(() => publisher.close());
    const masterData = new MasterData(db, logger);
    await masterData.start();
    closers.push(async () => masterData.close());
    const mailer = new AlertMailer(createMailer(config), logger);
    const ingestor = new Ingestor(
      { db, redis, publisher, master: masterData, mailer, metrics: createStreamingMetrics(), logger },
      {
        groupId: 'bench-chunks',
        topics,
        maxEventAgeDays: config.MAX_EVENT_AGE_DAYS,
        allowedLatenessMs: config.ALLOWED_LATENESS_MS,
      },
    );
    closers.push(() => ingestor.close());
    ingestor.onAssignment([...Array(PARTITIONS).keys()]);

    // The sidecar's lanes: a partition's batches one after another, queued ones joined.
    const lanes = new PartitionLanes<InboundBatch>({
      depth: Infinity,
      concurrency: PARTITIONS,
      canJoin: () => true,
      join: (items) => ({ ...items.at(-1)!, messages: items.flatMap((b) => b.messages) }),
      handle: (_partition, batch) => ingestor.handleBatch(batch, control),
      onError: (partition, _batch, err) => log(`partition ${partition} failed: ${String(err)}`),
      onFull: () => undefined,
      onRoom: () => undefined,
    });
    const control = {
      heartbeat: async () => undefined,
      isActive: () => true,
      markDone: () => undefined,
      seek: () => {
        throw new Error('the bench never seeks');
      },
      pause: () => () => undefined,
    };
    const partition = partitionOf();
    const nextOffset = new Array<number>(PARTITIONS).fill(0);
    /** Messages per partition, numbered on from where the partition is. */
    const toBatches = (encoded: Encoded[]): InboundBatch[] => {
      const by: InboundMessage[][] = Array.from({ length: PARTITIONS }, () => []);
      for (const m of encoded) {
        const p = partition(m.key);
        by[p]!.push({
          offset: String(nextOffset[p]!++),
          key: Buffer.from(m.key),
          value: Buffer.from(m.value),
          timestamp: '0',
        });
      }
      return by.map((messages, p) => ({ topic: topics.events, partition: p, messages, highWatermark: '0' }));
    };
    const offer = (batches: InboundBatch[]) => {
      const now = String(Date.now());
      for (const b of batches) {
        for (const m of b.messages) m.timestamp = now;
        if (b.messages.length > 0) lanes.offer(b.partition, b);
      }
    };

    const stats = await statementStats(admin);
    const session = options.profile ? new Session() : undefined;
    session?.connect();
    await session?.post('Profiler.enable');
    await session?.post('Profiler.setSamplingInterval', { interval: 250 });
    const phase = async (name: string, body: () => Promise<number>) => {
      const before = { ...ingestor.totals };
      const counts = await tableCounts(knex);
      await stats?.reset();
      const cpu = await cpuProbe(knex, dbName);
      const load = os.loadavg()[0]!.toFixed(1);
      await session?.post('Profiler.start');
      const t0 = performance.now();
      const events = await body();
      await lanes.idle();
      const seconds = (performance.now() - t0) / 1000;
      if (session) {
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(
          path.join(options.profile!, `${name.split(':')[0]!.replace(/\s+/g, '-')}.cpuprofile`),
          JSON.stringify(profile),
        );
      }
      const used = await cpu();
      const chunks = ingestor.totals.batches - before.batches;
      const applied = ingestor.totals.applied - before.applied;
      const us = (s: number) => ((s * 1e6) / applied).toFixed(1);
      log(
        `${name}: ${applied} of ${events} events applied in ${seconds.toFixed(1)} s, ${chunks} chunks of ` +
          `${(applied / chunks).toFixed(0)} events; CPU per event: node ${us(used.node)} µs + PostgreSQL ` +
          `${us(used.postgres)} µs (${used.backends} backends) = ${us(used.node + used.postgres)} µs; ` +
          `load ${load} → ${os.loadavg()[0]!.toFixed(1)}`,
      );
      const after = await tableCounts(knex);
      const per = (n: number) =>
        `${n} (${(n / chunks).toFixed(1)}/chunk, ${((n / applied) * 1000).toFixed(0)}/1000 events)`;
      for (const [t, a] of after) {
        const b = counts.get(t) ?? { ins: 0, upd: 0, hot: 0 };
        if (a.ins === b.ins && a.upd === b.upd) continue;
        log(
          `  ${t}: inserted ${per(a.ins - b.ins)}, updated ${per(a.upd - b.upd)}, ${a.hot - b.hot} of them HOT`,
        );
      }
      const rows = (await stats?.read(dbName)) ?? [];
      const total = rows.reduce((s, r) => s + r.ms, 0);
      for (const r of rows) {
        log(
          `  ${((r.ms / total) * 100).toFixed(1).padStart(5)} %  ${(r.ms / chunks).toFixed(2).padStart(7)} ms/chunk ` +
            `${((r.ms * 1000) / applied).toFixed(2).padStart(6)} µs/event  ${String(r.calls).padStart(6)} calls  ${r.query}`,
        );
      }
    };

    // --- 1. full speed: the backlog at once
    const gen = liveEvents({ master, levels, seed: 7, start: Date.now() - 30 * 60_000, rate: N / 1_800 });
    const backlog = toBatches(Array.from({ length: N }, () => toKafkaMessage(gen.next().value)));
    await phase('full speed', async () => {
      offer(backlog);
      return N;
    });

    // --- 2. steady: tick after tick, each handed over once the one before is committed, so the
    // chunks keep their size however busy the machine is (event time runs at `rate`; wall time
    // follows the machine).
    const ticks = Math.round((seconds * 1000) / tickMs);
    const perTick = Math.round((rate * tickMs) / 1000);
    const steadyFrom = options.steadyLevels === 'stored' ? await storedLevels(knex, master) : levels;
    const steady = liveEvents({ master, levels: steadyFrom, seed: 8, start: Date.now(), rate });
    const plan = Array.from({ length: ticks }, () =>
      toBatches(Array.from({ length: perTick }, () => toKafkaMessage(steady.next().value))),
    );
    await phase(`steady: ${rate} events/s of event time handed over every ${tickMs} ms`, async () => {
      for (const batches of plan) {
        offer(batches);
        await lanes.idle();
      }
      return ticks * perTick;
    });
  } finally {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    await redis.quit().catch(() => undefined);
    await db.destroy();
    await knex.destroy();
    if (!keep) {
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [dbName]);
      const kadmin = kafka.admin();
      await kadmin.connect();
      await kadmin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
      await kadmin.disconnect();
    }
    await admin.destroy();
  }
}
