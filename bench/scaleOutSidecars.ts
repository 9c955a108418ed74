/**
 * One sidecar count of the scale-out bench: `n` sidecar processes in one consumer group drain
 * the events topic into a fresh copy of the template database, measured from the moment every
 * one of them may work until the last event is committed, with the bare pipeline on the same
 * topic (its own copy of the template) as the in-run limit.
 *
 * Every member joins before any works: the group's Kafka offsets start at the end of the topic and
 * PostgreSQL's (the sidecar's source of truth, SPEC §7) at 0 for every partition. Once the group
 * is stable with `n` members, one new event per partition wakes each member, which finds
 * PostgreSQL behind Kafka and seeks back to 0, so at every count the whole backlog is drained by
 * all its members from the first batch (no early joiner drains a part alone).
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { createKnex, type Config, type TopicNames } from '../platform/index.js';
import { toKafkaMessage } from '../inventory/generator/index.js';
import type { InventoryEvent } from '../inventory/events/index.js';
import { barePipeline } from './barePipeline.js';
import { spawnSidecars } from './sidecars.js';
import { RoleMeter, type PhaseCpu } from './roleCpu.js';
import { serviceRoles, type BenchDatabases } from './scaleOutServices.js';

export interface SidecarStage {
  config: Config;
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  topics: TopicNames;
  /** Continues the traffic already in the topic (the events that wake the members). */
  traffic: Iterator<InventoryEvent>;
  databases: BenchDatabases;
  /** A migrated database with the master data and opening stock the events refer to. */
  template: string;
  /** Prefix of the databases and groups of this run. */
  name: string;
  log: (message: string) => void;
}

export interface SidecarCount {
  processes: number;
  /** Events drained (the whole topic). */
  events: number;
  eventsPerS: number;
  /** The bare pipeline over the same topic, just before. */
  bare: { eventsPerS: number; pgUsPerEvent: number | undefined };
  cpu: PhaseCpu;
  /** One-minute load average at the end of the phase. */
  load: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Σ of the partitions' end offsets: every event the topic holds (it never had any deleted). */
async function topicEnds(admin: Admin, topic: string) {
  const ends = (await admin.fetchTopicOffsets(topic)).map((p) => ({
    partition: p.partition,
    offset: p.high,
  }));
  return { ends, total: ends.reduce((sum, p) => sum + Number(p.offset), 0) };
}

export async function measureSidecars(stage: SidecarStage, n: number): Promise<SidecarCount> {
  const { config, admin, topics, databases, log } = stage;
  const { ends, total } = await topicEnds(admin, topics.events);

  // The limit: the bare pipeline over the same events, into a database of its own.
  const bareDb = `${stage.name}_bare${n}`;
  const bareUrl = await databases.create(bareDb, stage.template);
  const pipeline = await barePipeline(stage.kafka, topics.events, total, bareUrl);
  await databases.drop(bareDb);
  const bare = { eventsPerS: total / pipeline.seconds, pgUsPerEvent: pipeline.pgCpuUsPerEvent };
  log(`${n} sidecars: limit, bare pipeline ${Math.round(bare.eventsPerS)} events/s`);

  const db = `${stage.name}_s${n}`;
  const url = await databases.create(db, stage.template);
  const groupId = `bench-scaleout-${randomBytes(4).toString('hex')}-${n}`;
  const knex = createKnex(url, { poolMax: 1, applicationName: 'wareflow-bench-scaleout' });
  const sidecars = await (async () => {
    await knex('streaming.consumer_offsets').insert(
      ends.map((p) => ({ group_id: groupId, topic: topics.events, partition: p.partition, next_offset: 0 })),
    );
    await admin.setOffsets({ groupId, topic: topics.events, partitions: ends });
    return spawnSidecars(n, {
      DATABASE_URL: url,
      KAFKA_TOPIC_SUFFIX: config.KAFKA_TOPIC_SUFFIX,
      KAFKA_GROUP_ID: groupId,
      DATA_DIR: config.DATA_DIR,
      LOG_LEVEL: config.LOG_LEVEL,
    });
  })().catch(async (err: unknown) => {
    await knex.destroy();
    throw err;
  });
  try {
    const deadline = Date.now() + 5 * 60_000;
    const check = (what: string) => {
      if (sidecars.anyExited() || Date.now() > deadline)
        throw new Error(`${n} sidecars: ${what}:\n${sidecars.log()}`);
    };
    for (;;) {
      const [group] = (await admin.describeGroups([groupId])).groups;
      if (group?.state === 'Stable' && group.members.length === n) break;
      check(`the group never became stable with ${n} members`);
      await sleep(200);
    }

    const roles = serviceRoles(config, databases.admin, db);
    const meter = new RoleMeter({
      sidecars: () => sidecars.children.map((c) => c.pid!),
      ...roles,
    });
    await meter.start();
    const started = performance.now();
    const woken = new Set<number>();
    while (woken.size < ends.length) {
      const sent = await stage.producer.send({
        topic: topics.events,
        messages: [toKafkaMessage(stage.traffic.next().value as InventoryEvent)],
      });
      for (const r of sent) woken.add(r.partition);
    }
    const events = (await topicEnds(admin, topics.events)).total;
    const applied = async () =>
      Number(
        (
          await knex('streaming.consumer_offsets')
            .where({ group_id: groupId, topic: topics.events })
            .sum({ n: 'next_offset' })
        )[0]!.n ?? 0,
      );
    let done = 0;
    while ((done = await applied()) < events) {
      check(`stopped at ${done} of ${events} events`);
      await sleep(100);
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = await meter.stop();
    const eventsPerS = events / seconds;
    log(`${n} sidecars: ${events} events in ${seconds.toFixed(1)} s = ${Math.round(eventsPerS)} events/s`);
    return { processes: n, events, eventsPerS, bare, cpu, load: os.loadavg()[0]! };
  } finally {
    await sidecars.stop();
    await knex.destroy();
    const streams = ['orders', 'shipments', 'audit'].map((s) => `${groupId}.${s}`);
    await admin.deleteGroups([groupId, ...streams]).catch(() => undefined);
    await databases.drop(db);
  }
}
