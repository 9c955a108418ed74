/**
 * `npm run bench -- streaming [--events N] [--instances N] [--latency-seconds S] [--rate R] [--skus N] [--warehouses N] [--keep]`
 *
 * 1. Produces N generated events (default 1,000,000) into a fresh 6-partition topic.
 * 2. Limits: a bare kafkajs consumer (eachBatch, no work) drains the topic; its rate is the
 *    ceiling. Then the bare pipeline (barePipeline.ts) COPYs the same rows into a ledger migrated
 *    like the sidecar's, with an offset upsert per batch: the limit that binds
 *    (`events_per_s_vs_pipeline`), and the CPU per event that `cpu_us_per_event_full` is judged by.
 * 3. The sidecar (`wareflow streaming`, a child process; `--instances` of them in one consumer
 *    group, default 1) consumes and fully processes the same topic — validate, apply, windows,
 *    anomalies, alerts, commit — into a database of its own.
 *    events_per_s = events applied after the first commit seen / (time from it to the last
 *    commit): the events of that first commit took time before the clock started.
 * 4. Latency: generated traffic at a steady R events/s (default 5,000) with probe events that
 *    must raise an alert; alert_latency_p99_ms = p99 of (alert received on inventory-alerts −
 *    probe handed to the producer). Its limit is the bare Kafka produce→consume p99 of the same
 *    probes, measured by a plain consumer on the events topic at the same time.
 *    cpu_us_per_event_5k = CPU of the sidecar and its backends per event of this phase, against
 *    2 × cpu_us_per_event_full (the drain phase).
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { createIdempotentProducer, createKnex, loadConfig, topicNames } from '../platform/index.js';
import { ensureDatabase, migrateLatest } from '../db/index.js';
import { liveEvents, toKafkaMessage, writeMasterData } from '../inventory/generator/index.js';
import type { InventoryEvent } from '../inventory/events/index.js';
import { bareDrain } from './bareDrain.js';
import { ensureBenchTopics } from './topics.js';
import { totalCpuSeconds } from './processCpu.js';
import { printReport, result } from './report.js';
import { barePipeline } from './barePipeline.js';
import { seedBusyCatalogue, p99, storedLevels } from './streamingSupport.js';
import { spawnSidecars } from './sidecars.js';

const log = (msg: string) => process.stderr.write(`[bench streaming] ${msg}\n`);

export interface StreamingBenchOptions {
  events: number;
  instances: number;
  latencySeconds: number;
  rate: number;
  skus: number;
  warehouses: number;
  keep: boolean;
}

export async function run(options: StreamingBenchOptions): Promise<void> {
  const { events: N, instances, latencySeconds, rate: steadyRate, skus, warehouses, keep } = options;
  const base = loadConfig();
  const suffix = `.bench-${randomBytes(4).toString('hex')}`;
  const dbName = `wareflow_bench_streaming_${randomBytes(4).toString('hex')}`;
  const dbUrl = new URL(base.DATABASE_URL);
  dbUrl.pathname = `/${dbName}`;
  const bareUrl = new URL(base.DATABASE_URL);
  bareUrl.pathname = `/${dbName}_bare`;
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: dbUrl.toString(),
    KAFKA_TOPIC_SUFFIX: suffix,
    KAFKA_GROUP_ID: `bench-streaming-${randomBytes(4).toString('hex')}`,
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'wareflow-bench-')),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  const topics = topicNames(config);
  const kafka = new Kafka({ clientId: 'bench', brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING });

  // --- setup: database, master data, opening stock, topics
  await ensureDatabase(config.DATABASE_URL, (u) => createKnex(u, { poolMax: 1 }));
  const knex = createKnex(config.DATABASE_URL, { poolMax: 4 });
  let producer: Producer | undefined;
  const children: ChildProcess[] = [];
  const listeners: Consumer[] = [];
  try {
    await migrateLatest(knex);
    const { master, levels, zone } = await seedBusyCatalogue(knex, { skus, warehouses });
    // Probe products: expensive, one pair each, so every probe restock is a HIGH_VALUE alert that
    // no cooldown suppresses.
    const probeCount = Math.max(50, Math.ceil(latencySeconds * 10));
    const probeSkus = Array.from({ length: probeCount }, (_, i) => `PROBE-${String(i + 1).padStart(5, '0')}`);
    await knex('inventory.products').insert(
      probeSkus.map((sku) => ({
        sku,
        name: sku,
        category: 'probe',
        unit_cost: 1000,
        unit_price: 1500,
        lead_time_days: 7,
      })),
    );
    const probeWarehouse = master.warehouses[0]!.warehouse_id;
    await ensureBenchTopics(kafka, topics);

    // --- 1. produce N events. Event time runs from 30 min ago at N/1800 events per second, so it
    // ends about now and windows keep closing while the sidecar works.
    producer = await createIdempotentProducer(kafka);
    const gen = liveEvents({
      master,
      levels,
      seed: 7,
      start: Date.now() - 30 * 60_000,
      rate: N / 1_800,
    });
    const t = performance.now();
    for (let sent = 0; sent < N;) {
      // At most 2,000 per request: even when most of them share a partition, its record batch
      // stays under the broker's 1 MB message.max.bytes.
      const n = Math.min(2_000, N - sent);
      const messages = new Array<{ key: string; value: string }>(n);
      for (let i = 0; i < n; i++) messages[i] = toKafkaMessage(gen.next().value);
      await producer.send({ topic: topics.events, messages });
      sent += n;
    }
    log(`produced ${N} events in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    // --- 2. limit: bare kafkajs consumer
    const bareSeconds = await bareDrain(kafka, topics.events, N);
    const bareRate = N / bareSeconds;
    log(`bare kafkajs consumer: ${Math.round(bareRate)} events/s`);

    // --- 2b. limit: the bare pipeline (COPY into a ledger migrated like the sidecar's + offsets)
    await ensureDatabase(bareUrl.toString(), (u) => createKnex(u, { poolMax: 1 }));
    const bareKnex = createKnex(bareUrl.toString(), { poolMax: 1 });
    try {
      await migrateLatest(bareKnex);
      await writeMasterData(bareKnex, master);
    } finally {
      await bareKnex.destroy();
    }
    const pipeline = await barePipeline(kafka, topics.events, N, bareUrl.toString());
    const pipelineRate = N / pipeline.seconds;
    log(
      `bare pipeline (COPY + offsets): ${Math.round(pipelineRate)} events/s` +
        (pipeline.cpuUsPerEvent === undefined
          ? ''
          : `, ${pipeline.cpuUsPerEvent.toFixed(1)} µs CPU per event`),
    );

    // --- 3. the sidecar, as its own process (or several, in one consumer group)
    const sidecars = await spawnSidecars(instances, {
      DATABASE_URL: config.DATABASE_URL,
      KAFKA_TOPIC_SUFFIX: suffix,
      KAFKA_GROUP_ID: config.KAFKA_GROUP_ID,
      DATA_DIR: config.DATA_DIR,
      LOG_LEVEL: config.LOG_LEVEL,
    });
    children.push(...sidecars.children);
    const applied = async () =>
      Number(
        (
          await knex('streaming.consumer_offsets')
            .where({ group_id: config.KAFKA_GROUP_ID, topic: topics.events })
            .sum({ n: 'next_offset' })
        )[0]!.n ?? 0,
      );
    // Where the phase's CPU went: the sidecar processes, and the PostgreSQL backends serving them
    // (both read from /proc, so only on Linux; a backend the pool opened later is not counted).
    const backends = async () =>
      (
        await knex('pg_stat_activity')
          .where({ datname: dbName, application_name: 'wareflow-streaming' })
          .select<Array<{ pid: number }>>('pid')
      ).map((r) => r.pid);
    const cpuNow = async () => ({
      sidecar: totalCpuSeconds(children.map((c) => c.pid!)),
      postgres: totalCpuSeconds(pgPids),
    });
    let pgPids: number[] = [];
    let cpuAtFirst: Awaited<ReturnType<typeof cpuNow>> | undefined;
    let cpuAtDone: typeof cpuAtFirst;
    let first = 0;
    /** Events applied when the first commit was seen: not timed, so not counted. */
    let appliedAtFirst = 0;
    let done = 0;
    const deadline = Date.now() + 30 * 60_000;
    for (;;) {
      const n = await applied();
      const now = performance.now();
      if (n > 0 && first === 0) {
        first = now;
        appliedAtFirst = n;
        pgPids = await backends();
        cpuAtFirst = await cpuNow();
      }
      if (n >= N) {
        done = now;
        cpuAtDone = await cpuNow();
        break;
      }
      if (children.some((c) => c.exitCode !== null) || Date.now() > deadline) {
        throw new Error(`sidecar stopped at ${n} of ${N} events:\n${sidecars.log()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const sidecarSeconds = (done - first) / 1000;
    const timedEvents = N - appliedAtFirst;
    const sidecarRate = timedEvents / sidecarSeconds;
    if (timedEvents < N / 2)
      log(
        `only ${timedEvents} of ${N} events applied after the first commit seen: too few to time, raise --events`,
      );
    log(
      `sidecar: ${N} events, ${timedEvents} of them after its first commit, in ${sidecarSeconds.toFixed(1)} s = ${Math.round(sidecarRate)} events/s`,
    );
    const perEvent = (k: 'sidecar' | 'postgres') => {
      const a = cpuAtFirst?.[k];
      const b = cpuAtDone?.[k];
      return a === undefined || b === undefined ? undefined : ((b - a) * 1e6) / timedEvents;
    };
    const cpuNote =
      perEvent('sidecar') === undefined
        ? 'CPU per event: not measured (no /proc)'
        : `CPU per event over the phase: sidecar ${perEvent('sidecar')!.toFixed(1)} µs, its PostgreSQL backends ${perEvent('postgres')?.toFixed(1) ?? '?'} µs (${pgPids.length} backends); ${os.cpus().length} cores`;
    log(cpuNote);
    const countOf = async (q: Promise<Array<Record<string, unknown>>>) => Number((await q)[0]?.n ?? 0);
    const ledgerRows = await countOf(
      knex('inventory.inventory_transactions').whereNotNull('source_partition').count({ n: '*' }),
    );
    const windowRows = await countOf(knex('analytics.stream_windows').count({ n: '*' }));
    const anomalyRows = await countOf(knex('analytics.anomalies').count({ n: '*' }));
    const activePairs = await countOf(
      knex
        .from(
          knex('inventory.inventory_transactions')
            .whereNotNull('source_partition')
            .distinct('sku', 'warehouse_id')
            .as('p'),
        )
        .count({ n: '*' }),
    );
    log(
      `ledger rows ${ledgerRows} over ${activePairs} pairs, closed windows ${windowRows}, anomalies ${anomalyRows}`,
    );

    // --- 4. latency at a steady rate, with probes
    const sentAt = new Map<string, number>();
    const alertAt = new Map<string, number>();
    const transportAt = new Map<string, number>();
    const listen = async (topic: string, onMessage: (value: Buffer) => void): Promise<Consumer> => {
      const c = kafka.consumer({
        groupId: `bench-listen-${randomBytes(4).toString('hex')}`,
        maxWaitTimeInMs: 20,
      });
      await c.connect();
      await c.subscribe({ topic, fromBeginning: false });
      await c.run({
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) if (message.value) onMessage(message.value);
        },
      });
      return c;
    };
    const probeIds = new Set<string>();
    listeners.push(
      await listen(topics.alerts, (v) => {
        const id = (JSON.parse(v.toString()) as { details?: { eventId?: string } }).details?.eventId;
        if (id && probeIds.has(id) && !alertAt.has(id)) alertAt.set(id, performance.now());
      }),
    );
    listeners.push(
      await listen(topics.events, (v) => {
        const s = v.toString();
        if (!s.includes('PROBE-')) return;
        const id = (JSON.parse(s) as InventoryEvent).eventId;
        if (probeIds.has(id)) transportAt.set(id, performance.now());
      }),
    );
    await new Promise((r) => setTimeout(r, 3_000)); // let both listeners join their groups

    const tickMs = 50;
    const perTick = Math.round((steadyRate * tickMs) / 1000);
    const ticks = Math.round((latencySeconds * 1000) / tickMs);
    const probeEvery = Math.max(1, Math.floor(ticks / probeCount));
    // The traffic is simulated before the phase, so the driver's own simulation does not take CPU
    // from what is measured; each event is stamped with its send time as it goes out.
    const generatedAt = Date.now();
    const levelsNow = await storedLevels(knex, master);
    const steady = liveEvents({ master, seed: 8, levels: levelsNow, start: generatedAt, rate: steadyRate });
    const traffic = Array.from({ length: ticks * perTick }, () => steady.next().value);
    let probeIndex = 0;
    pgPids = await backends();
    const cpuAtSteady = await cpuNow();
    const start = performance.now();
    const shift = Date.now() - generatedAt;
    for (let tick = 0; tick < ticks; tick++) {
      const due = start + tick * tickMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const messages = [];
      for (const e of traffic.slice(tick * perTick, (tick + 1) * perTick)) {
        const sentAs = new Date(new Date(e.timestamp).getTime() + shift).toISOString();
        messages.push(toKafkaMessage({ ...e, timestamp: sentAs }));
      }
      let probe: InventoryEvent | undefined;
      if (tick % probeEvery === 0 && probeIndex < probeSkus.length) {
        probe = {
          eventId: randomUUID(),
          eventType: 'RESTOCK',
          sku: probeSkus[probeIndex++]!,
          warehouseId: probeWarehouse,
          quantityChange: 20,
          timestamp: Date.now(),
        };
        probeIds.add(probe.eventId);
        messages.push(toKafkaMessage(probe));
      }
      if (probe) sentAt.set(probe.eventId, performance.now());
      await producer.send({ topic: topics.events, messages });
    }
    const waitUntil = Date.now() + 15_000;
    while (alertAt.size < sentAt.size && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 100));
    const actualRate = (ticks * perTick) / ((performance.now() - start) / 1000);
    const cpuAfterSteady = await cpuNow();
    const steadyCpu = (['sidecar', 'postgres'] as const).map((k) => {
      const a = cpuAtSteady[k];
      const b = cpuAfterSteady[k];
      return a === undefined || b === undefined ? NaN : b - a;
    });
    const steadyEvents = ticks * perTick + probeIndex;
    const cpuSteadyUs = ((steadyCpu[0]! + steadyCpu[1]!) * 1e6) / steadyEvents;
    log(
      `CPU per event at the steady rate: sidecar ${((steadyCpu[0]! * 1e6) / steadyEvents).toFixed(1)} µs, ` +
        `its PostgreSQL backends ${((steadyCpu[1]! * 1e6) / steadyEvents).toFixed(1)} µs`,
    );
    const cpuFullUs = (perEvent('sidecar') ?? NaN) + (perEvent('postgres') ?? NaN);
    const latencies = [...sentAt].filter(([id]) => alertAt.has(id)).map(([id, t0]) => alertAt.get(id)! - t0);
    const transport = [...sentAt]
      .filter(([id]) => transportAt.has(id))
      .map(([id, t0]) => transportAt.get(id)! - t0);
    log(
      `latency phase: ~${Math.round(actualRate)} events/s, ${latencies.length}/${sentAt.size} probe alerts received`,
    );
    const results = [
      result('events_per_s', sidecarRate, 'events/s', bareRate),
      result('events_per_s_vs_pipeline', sidecarRate, 'events/s', pipelineRate),
      result('alert_latency_p99_ms', p99(latencies), 'ms', p99(transport)),
      result('cpu_us_per_event_full', cpuFullUs, 'µs', pipeline.cpuUsPerEvent ?? NaN),
      result('cpu_us_per_event_5k', cpuSteadyUs, 'µs', 2 * cpuFullUs),
    ];
    printReport('streaming', results, [
      `${N} events, ${instances} sidecar instance${instances > 1 ? 's' : ''}, ${skus} SKUs × ${warehouses} warehouses (${activePairs} pairs with events; every warehouse in ${zone}, early afternoon), 6 partitions; limit = bare kafkajs eachBatch consumer on the same topic`,
      `targets: events_per_s ≥ 50000 (${sidecarRate >= 50_000 ? 'met' : 'NOT met'}); alert_latency_p99_ms < 500 (${p99(latencies) < 500 ? 'met' : 'NOT met'}) at ~${Math.round(actualRate)} events/s; latency limit = bare Kafka produce→consume p99 of the same probes`,
      `probe alerts received: ${latencies.length}/${sentAt.size}`,
      `events_per_s_vs_pipeline: limit = bare pipeline (kafkajs → binary COPY into a ledger migrated like the sidecar's, offset upsert per batch; no validation, levels, windows or anomalies); target ratio ≥ 0.7 (${sidecarRate / pipelineRate >= 0.7 ? 'met' : 'NOT met'})`,
      `cpu_us_per_event_*: sidecar process + its PostgreSQL backends; full = the drain phase (limit: the bare pipeline's own CPU per event), 5k = the steady phase at ~${Math.round(actualRate)} events/s (limit: 2 × full)`,
      cpuNote,
    ]);
  } finally {
    // Release everything, also when a phase failed: no child, database or topic is left behind.
    for (const l of listeners) await l.disconnect().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    for (const child of children) {
      if (child.exitCode !== null) continue;
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await knex.destroy();
    if (!keep) {
      const admin = createKnex(base.DATABASE_URL.replace(/\/[^/]*$/, '/postgres'), { poolMax: 1 });
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [dbName]);
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [`${dbName}_bare`]);
      await admin.destroy();
      const kadmin = kafka.admin();
      await kadmin.connect();
      await kadmin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
      await kadmin.disconnect();
    }
  }
}
