/**
 * The streaming bench's binding limit (SPEC §8 `events_per_s_vs_pipeline`): what a pipeline that
 * only moves rows can do on this machine. A kafkajs consumer reads the same topic, parses each
 * message into the ledger's columns and, per batch, in one transaction, COPYs them into the
 * ledger of a database migrated like the sidecar's (the same indexes, constraints and partitions,
 * the same session settings) and upserts the partition's offset. No validation, stock levels,
 * windows, anomalies or output topics: everything the sidecar does beyond this is its overhead.
 * For the mixed stream (streamingMixed.ts) it reads the order, shipment and audit topics too and
 * inserts their rows into their event tables (bareFulfilment.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { createKnex } from '../platform/index.js';
import type { FulfilmentStream } from '../inventory/fulfilment/index.js';
import { copyLedger, SIDECAR_SESSION_SQL, type LedgerEvent } from '../streaming/index.js';
import { insertBareFulfilment } from './bareFulfilment.js';
import { totalCpuSeconds } from './processCpu.js';

export interface BarePipelineResult {
  seconds: number;
  /** CPU (this process plus its PostgreSQL backends) per event over first→last batch; undefined without /proc. */
  cpuUsPerEvent: number | undefined;
  /** The part of it spent by its PostgreSQL backends. */
  pgCpuUsPerEvent: number | undefined;
}

const APPLICATION = 'wareflow-bench-bare';

/**
 * Drains `count` messages of `topic` into the ledger of `databaseUrl` (migrated, with master data).
 * Several topics: those named in `fulfilment` go to their stream's event table
 * (`insertBareFulfilment`), the others to the ledger.
 */
export async function barePipeline(
  kafka: Kafka,
  topic: string | readonly string[],
  count: number,
  databaseUrl: string,
  fulfilment: Readonly<Record<string, FulfilmentStream>> = {},
): Promise<BarePipelineResult> {
  const knex = createKnex(databaseUrl, {
    poolMax: 4,
    applicationName: APPLICATION,
    onConnect: SIDECAR_SESSION_SQL,
  });
  const groupId = `bench-bare-pipeline-${randomBytes(4).toString('hex')}`;
  const consumer = kafka.consumer({
    groupId,
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxBytes: 24 * 1024 * 1024,
    maxWaitTimeInMs: 100,
  });
  // Open the pool's connections up front, so the backends whose CPU is counted are all there.
  await Promise.all(Array.from({ length: 4 }, () => knex.raw('SELECT pg_sleep(0.05)')));
  const { rows: backends } = await knex.raw<{ rows: Array<{ pid: number }> }>(
    'SELECT pid FROM pg_stat_activity WHERE application_name = ?',
    [APPLICATION],
  );
  const cpuNow = () => {
    const pg = totalCpuSeconds(backends.map((r) => r.pid));
    const own = process.cpuUsage();
    return pg === undefined ? undefined : { pg, all: pg + (own.user + own.system) / 1e6 };
  };
  try {
    await consumer.connect();
    await consumer.subscribe({
      topics: typeof topic === 'string' ? [topic] : [...topic],
      fromBeginning: true,
    });
    let seen = 0;
    let first = 0;
    let last = 0;
    let cpuAtFirst: ReturnType<typeof cpuNow>;
    // Each partition's next offset committed here: a batch kafkajs hands again (after a rejoin,
    // from its own committed offset) is applied from there on, as the sidecar's offset fence does.
    const stored = new Map<string, number>();
    await new Promise<void>((resolve, reject) => {
      void consumer.run({
        partitionsConsumedConcurrently: 3,
        eachBatch: async ({ batch }) => {
          if (first === 0) {
            first = performance.now();
            cpuAtFirst = cpuNow();
          }
          const at = `${batch.topic}:${batch.partition}`;
          const messages = batch.messages.filter((m) => Number(m.offset) >= (stored.get(at) ?? 0));
          if (messages.length === 0) return;
          const stream = fulfilment[batch.topic];
          const nextOffset = String(Number(batch.lastOffset()) + 1);
          try {
            await knex.transaction(async (trx) => {
              if (stream)
                await insertBareFulfilment(
                  trx,
                  stream,
                  messages.map((m) => m.value),
                  batch.partition,
                );
              else
                await copyLedger(
                  trx,
                  messages.flatMap((m): LedgerEvent[] => (m.value ? [toLedgerEvent(m.value)] : [])),
                  batch.partition,
                );
              await trx.raw(
                `INSERT INTO streaming.consumer_offsets (group_id, topic, partition, next_offset, updated_at)
                 VALUES (?, ?, ?, ?::bigint, now())
                 ON CONFLICT (group_id, topic, partition) DO UPDATE
                   SET next_offset = excluded.next_offset, updated_at = now()`,
                [groupId, batch.topic, batch.partition, nextOffset],
              );
            });
          } catch (err) {
            reject(err as Error);
            return;
          }
          stored.set(at, Number(nextOffset));
          seen += messages.length;
          if (seen >= count) {
            last = performance.now();
            resolve();
          }
        },
      });
    });
    const cpuAtLast = cpuNow();
    const perEvent = (k: 'pg' | 'all') =>
      cpuAtFirst === undefined || cpuAtLast === undefined
        ? undefined
        : ((cpuAtLast[k] - cpuAtFirst[k]) * 1e6) / count;
    return {
      seconds: (last - first) / 1000,
      cpuUsPerEvent: perEvent('all'),
      pgCpuUsPerEvent: perEvent('pg'),
    };
  } finally {
    await consumer.disconnect();
    await knex.destroy();
  }
}

/** The ledger columns of a message as the generator writes it (SPEC §3; no checks). */
function toLedgerEvent(value: Buffer): LedgerEvent {
  const e = JSON.parse(value.toString()) as {
    eventId: string;
    eventType: string;
    sku: string;
    warehouseId: string;
    quantityChange: number;
    timestamp: string | number;
    referenceId?: string;
    notes?: string;
  };
  return {
    eventId: e.eventId,
    sku: e.sku,
    warehouseId: e.warehouseId,
    eventType: e.eventType,
    quantityChange: e.quantityChange,
    occurredAt: new Date(e.timestamp),
    referenceId: e.referenceId ?? null,
    notes: e.notes ?? null,
  };
}
