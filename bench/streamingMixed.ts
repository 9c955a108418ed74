/**
 * `npm run bench -- streaming --mixed [--events N] [--instances N] [--skus N] [--warehouses N] [--keep]`
 *
 * The mixed stream: the sidecar on its four topics at once, against the same in-run limits as the
 * inventory stream (bench/streaming.ts).
 * 1. The generator's live feed (`publishToKafka`, a time-lapse of 30 minutes of event time ending
 *    now) publishes N inventory events and, derived from them as `wareflow generate --to kafka`
 *    does, the order, shipment and audit events of the same trade (inventory/fulfilment/
 *    CONTRACT.md §9): their realistic proportions. M = every message on the four topics.
 * 2. Limits: a bare kafkajs consumer drains the four topics; then the bare pipeline moves the same
 *    messages into a database migrated like the sidecar's — inventory rows by binary COPY into the
 *    ledger, order, shipment and audit rows by one INSERT per batch into their event tables —
 *    with an offset upsert per batch.
 * 3. The sidecar (`wareflow streaming`, `--instances` processes) consumes all four topics into a
 *    database of its own: events_per_s_mixed = M / (time from its first commit to its last, on
 *    any topic).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { createKnex, ensureTopics, loadConfig, topicNames } from '../platform/index.js';
import { ensureDatabase, migrateLatest } from '../db/index.js';
import { publishToKafka, writeMasterData } from '../inventory/generator/index.js';
import { FULFILMENT_STREAMS, type FulfilmentStream } from '../inventory/fulfilment/index.js';
import { bareDrain } from './bareDrain.js';
import { barePipeline } from './barePipeline.js';
import { ensureBenchTopics } from './topics.js';
import { printReport, result } from './report.js';
import { seedBusyCatalogue, freePort } from './streamingSupport.js';

const log = (msg: string) => process.stderr.write(`[bench streaming --mixed] ${msg}\n`);
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

export interface MixedBenchOptions {
  events: number;
  instances: number;
  skus: number;
  warehouses: number;
  keep: boolean;
}

export async function run(options: MixedBenchOptions): Promise<void> {
  const { events: N, instances, skus, warehouses, keep } = options;
  const base = loadConfig();
  const suffix = `.bench-${randomBytes(4).toString('hex')}`;
  const dbName = `wareflow_bench_mixed_${randomBytes(4).toString('hex')}`;
  const urlOf = (name: string) => {
    const u = new URL(base.DATABASE_URL);
    u.pathname = `/${name}`;
    return u.toString();
  };
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: urlOf(dbName),
    KAFKA_TOPIC_SUFFIX: suffix,
    KAFKA_GROUP_ID: `bench-mixed-${randomBytes(4).toString('hex')}`,
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'wareflow-bench-')),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  const topics = topicNames(config);
  const sources: Record<'inventory' | FulfilmentStream, string> = {
    inventory: topics.events,
    orders: topics.orders,
    shipments: topics.shipments,
    audit: topics.audit,
  };
  const groupOf = (s: keyof typeof sources) =>
    s === 'inventory' ? config.KAFKA_GROUP_ID : `${config.KAFKA_GROUP_ID}.${s}`;
  const kafka = new Kafka({ clientId: 'bench', brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const messagesOn = async (topic: string) =>
    (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high), 0);

  await ensureDatabase(config.DATABASE_URL, (u) => createKnex(u, { poolMax: 1 }));
  const knex = createKnex(config.DATABASE_URL, { poolMax: 4 });
  const children: ChildProcess[] = [];
  await admin.connect();
  try {
    await migrateLatest(knex);
    const { master, levels, zone } = await seedBusyCatalogue(knex, { skus, warehouses });
    await ensureBenchTopics(kafka, topics);
    await ensureTopics(kafka, [
      ...FULFILMENT_STREAMS.map((s) => ({ topic: sources[s], numPartitions: 6 })),
      ...[topics.ordersDlq, topics.shipmentsDlq, topics.auditDlq].map((topic) => ({
        topic,
        numPartitions: 1,
      })),
    ]);

    // --- 1. the feed: N inventory events over 30 minutes of event time ending now, and the rest
    const published = await publishToKafka(kafka, topics.events, {
      seed: 7,
      master,
      levels,
      rate: Infinity,
      eventTime: { start: Date.now() - 30 * 60_000, rate: N / 1_800 },
      count: N,
      maxBatch: 2_000,
      fulfilmentTopics: { orders: topics.orders, shipments: topics.shipments, audit: topics.audit },
    });
    const counts = {} as Record<keyof typeof sources, number>;
    for (const [s, topic] of Object.entries(sources))
      counts[s as keyof typeof sources] = await messagesOn(topic);
    const M = Object.values(counts).reduce((a, b) => a + b, 0);
    const mix = Object.entries(counts)
      .map(([s, n]) => `${s} ${n} (${((100 * n) / M).toFixed(1)} %)`)
      .join(', ');
    log(`published ${M} messages in ${published.seconds.toFixed(1)} s: ${mix}`);

    // --- 2. limits: bare drain, then the bare pipeline, of the same four topics
    const all = Object.values(sources);
    const bareRate = M / (await bareDrain(kafka, all, M));
    log(`bare kafkajs consumer, four topics: ${Math.round(bareRate)} messages/s (load ${load()})`);
    const bareUrl = urlOf(`${dbName}_bare`);
    await ensureDatabase(bareUrl, (u) => createKnex(u, { poolMax: 1 }));
    const bareKnex = createKnex(bareUrl, { poolMax: 1 });
    try {
      await migrateLatest(bareKnex);
      await writeMasterData(bareKnex, master);
    } finally {
      await bareKnex.destroy();
    }
    const pipeline = await barePipeline(kafka, all, M, bareUrl, {
      [topics.orders]: 'orders',
      [topics.shipments]: 'shipments',
      [topics.audit]: 'audit',
    });
    const pipelineRate = M / pipeline.seconds;
    log(`bare pipeline, four topics: ${Math.round(pipelineRate)} messages/s (load ${load()})`);

    // --- 3. the sidecar on all four
    let childLog = '';
    for (let i = 0; i < instances; i++) {
      const child = spawn(process.execPath, ['bin/wareflow.js', 'streaming'], {
        env: {
          ...process.env,
          DATABASE_URL: config.DATABASE_URL,
          KAFKA_TOPIC_SUFFIX: suffix,
          KAFKA_GROUP_ID: config.KAFKA_GROUP_ID,
          DATA_DIR: config.DATA_DIR,
          STREAMING_PORT: String(await freePort()),
          LOG_LEVEL: config.LOG_LEVEL,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr!.on('data', (d: Buffer) => {
        childLog = (childLog + d.toString()).slice(-10_000);
      });
      children.push(child);
    }
    /** Messages each topic's group has committed in PostgreSQL (offsets start at 0). */
    const progress = async () => {
      const rows: Array<{ topic: string; n: string | null }> = await knex('streaming.consumer_offsets')
        .where((q) => {
          for (const [s, topic] of Object.entries(sources))
            q.orWhere({ group_id: groupOf(s as keyof typeof sources), topic });
        })
        .groupBy('topic')
        .select('topic', knex.raw('sum(next_offset) AS n'));
      return new Map(rows.map((r) => [r.topic, Number(r.n ?? 0)]));
    };
    const loadAtStart = load();
    const finished = new Map<string, number>();
    let first = 0;
    let done = 0;
    const deadline = Date.now() + 30 * 60_000;
    for (;;) {
      const p = await progress();
      const now = performance.now();
      const n = [...p.values()].reduce((a, b) => a + b, 0);
      if (n > 0 && first === 0) first = now;
      for (const [s, topic] of Object.entries(sources))
        if (!finished.has(s) && (p.get(topic) ?? 0) >= counts[s as keyof typeof sources])
          finished.set(s, now);
      if (n >= M) {
        done = now;
        break;
      }
      if (children.some((c) => c.exitCode !== null) || Date.now() > deadline)
        throw new Error(`sidecar stopped at ${n} of ${M} messages:\n${childLog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (done - first) / 1000;
    const rate = M / seconds;
    log(`sidecar, four topics: ${M} messages in ${seconds.toFixed(1)} s = ${Math.round(rate)} messages/s`);
    const dead = (
      await Promise.all([topics.dlq, topics.ordersDlq, topics.shipmentsDlq, topics.auditDlq].map(messagesOn))
    ).reduce((a, b) => a + b, 0);
    const byTopic = [...finished]
      .map(([s, at]) => `${s} ${(Math.max(0, at - first) / 1000).toFixed(1)} s`)
      .join(', ');
    printReport(
      'streaming',
      [
        result('events_per_s_mixed', rate, 'events/s', bareRate),
        result('events_per_s_mixed_vs_pipeline', rate, 'events/s', pipelineRate),
      ],
      [
        `mixed stream: ${M} messages on four topics — ${mix}; ${instances} sidecar instance${instances > 1 ? 's' : ''}, ${skus} SKUs × ${warehouses} warehouses (every warehouse in ${zone}, early afternoon), 6 partitions each`,
        `events_per_s_mixed: limit = bare kafkajs eachBatch consumer of the four topics; target ≥ 50000 as for the inventory stream (${rate >= 50_000 ? 'met' : 'NOT met'})`,
        `events_per_s_mixed_vs_pipeline: limit = bare pipeline of the four topics (COPY into the ledger, INSERT into the order, shipment and audit event tables, offset upsert per batch; no validation, levels, projections, windows or anomalies); target ratio ≥ 0.7 (${rate / pipelineRate >= 0.7 ? 'met' : 'NOT met'})`,
        `each topic done after the sidecar's first commit: ${byTopic}; dead-lettered: ${dead}`,
        `load average (1, 5, 15 min) at the sidecar's start ${loadAtStart}, at its end ${load()}; ${os.cpus().length} cores`,
      ],
    );
  } finally {
    for (const child of children) {
      if (child.exitCode !== null) continue;
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await knex.destroy();
    if (!keep) {
      const pg = createKnex(urlOf('postgres'), { poolMax: 1 });
      await pg.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [dbName]);
      await pg.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [`${dbName}_bare`]);
      await pg.destroy();
      await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    }
    await admin.disconnect();
  }
}
