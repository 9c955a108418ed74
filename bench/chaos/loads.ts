/**
 * What the scenarios put through the system, and how they count it afterwards: a stream of
 * generated events (lost = produced event ids missing from the ledger; doubled = ledger rows
 * beyond one per id, plus pairs whose on-hand or reserved moved by anything but the sum of their
 * events) and an hourly backfill (lost = intervals without a successful run; doubled = runs
 * beyond one per interval).
 */
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { topicNames } from '../../platform/index.js';
import { ensureBenchTopics } from '../topics.js';
import type { InventoryEvent } from '../../inventory/events/index.js';
import {
  ensureOpeningStock,
  generateMasterData,
  liveEvents,
  toKafkaMessage,
  writeMasterData,
} from '../../inventory/generator/index.js';
import { Role } from './roles.js';
import { sleep, type World } from './world.js';

export interface Tally {
  lost: number;
  doubled: number;
}

export interface StreamLoad {
  /** Produces `n` events at `rate` per second in the background; a failed send is retried. */
  produce(n: number, rate: number): Promise<void>;
  produced(): number;
  /** Produced events the ledger holds. */
  applied(): Promise<number>;
  caughtUp(): Promise<boolean>;
  tally(): Promise<Tally>;
  close(): Promise<void>;
}

type Level = { sku: string; warehouse_id: string; quantity_on_hand: number; quantity_reserved: number };

export async function streamLoad(world: World, seed = 7): Promise<StreamLoad> {
  const { knex } = world;
  const master = generateMasterData({ skus: 20, warehouses: 3, seed });
  await writeMasterData(knex, master);
  const { levels } = await ensureOpeningStock(knex, master, { at: new Date(Date.now() - 3 * 3_600_000) });
  const before = new Map(
    (await knex<Level>('inventory.inventory_levels').select('*')).map((l) => [
      `${l.sku}:${l.warehouse_id}`,
      l,
    ]),
  );
  const env = world.env();
  const topics = topicNames({ KAFKA_TOPIC_SUFFIX: env.KAFKA_TOPIC_SUFFIX! });
  const kafka = new Kafka({ clientId: 'chaos', brokers: world.brokers, logLevel: logLevel.NOTHING });
  await ensureBenchTopics(kafka, topics);
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const events: InventoryEvent[] = [];
  const ids: string[] = [];

  const send = async (batch: InventoryEvent[]) => {
    // A send that failed may still have been written: sending it again is the producer retry
    // the sidecar must absorb (each event id applies once).
    for (let attempt = 0; ; attempt++) {
      try {
        await producer.send({ topic: topics.events, messages: batch.map(toKafkaMessage), acks: -1 });
        return;
      } catch (err) {
        if (attempt > 300) throw err;
        await sleep(1_000);
      }
    }
  };
  const count = async (query: (ids: string[]) => Promise<number>) => {
    let n = 0;
    for (let i = 0; i < ids.length; i += 5_000) n += await query(ids.slice(i, i + 5_000));
    return n;
  };
  const applied = () =>
    count(async (slice) =>
      Number(
        (
          await knex('inventory.inventory_transactions')
            .whereRaw('event_id = ANY(?::uuid[])', [slice])
            .count({ n: '*' })
        )[0]!.n,
      ),
    );
  let target = 0;
  return {
    async produce(n, rate) {
      target += n;
      const gen = liveEvents({ master, levels, seed, start: Date.now() - 30 * 60_000, rate: n / 1_800 });
      const per = 250;
      const t0 = Date.now();
      for (let sent = 0; sent < n; sent += per) {
        const batch = Array.from({ length: Math.min(per, n - sent) }, () => gen.next().value);
        events.push(...batch);
        ids.push(...batch.map((e) => e.eventId));
        await send(batch);
        const due = t0 + ((sent + batch.length) / rate) * 1000;
        if (due > Date.now()) await sleep(due - Date.now());
      }
    },
    produced: () => events.length,
    applied,
    async caughtUp() {
      return events.length === target && (await applied()) === target;
    },
    async tally() {
      const found = await applied();
      const expected = new Map<string, { onHand: number; reserved: number }>();
      for (const e of events) {
        const key = `${e.sku}:${e.warehouseId}`;
        const l = expected.get(key) ?? { onHand: 0, reserved: 0 };
        if (e.eventType === 'RESERVATION' || e.eventType === 'RESERVATION_RELEASE')
          l.reserved += e.quantityChange;
        else l.onHand += e.quantityChange;
        expected.set(key, l);
      }
      let moved = 0;
      for (const l of await knex<Level>('inventory.inventory_levels').select('*')) {
        const key = `${l.sku}:${l.warehouse_id}`;
        const b = before.get(key);
        const want = expected.get(key) ?? { onHand: 0, reserved: 0 };
        const onHand = l.quantity_on_hand - (b?.quantity_on_hand ?? 0);
        const reserved = l.quantity_reserved - (b?.quantity_reserved ?? 0);
        if (onHand !== want.onHand || reserved !== want.reserved) moved++;
      }
      // The ledger's primary key is the event id: rows beyond one per id cannot exist, and a
      // second application would show in the levels instead.
      return {
        lost: new Set(ids).size - found,
        doubled: (found > ids.length ? found - ids.length : 0) + moved,
      };
    },
    async close() {
      await producer.disconnect().catch(() => undefined);
      const admin = kafka.admin();
      await admin.connect().catch(() => undefined);
      await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    },
  };
}

export const BACKFILL_DAG = 'hourly_transaction_aggregation';

export interface BackfillLoad {
  total: number;
  succeeded(): Promise<number>;
  done(): Promise<boolean>;
  tally(): Promise<Tally>;
}

/**
 * Starts an hourly backfill of `days` days with `wareflow dags backfill` (the scheduler drives it;
 * the command is stopped once the backfill is recorded) and counts its runs.
 */
export async function backfillLoad(
  world: World,
  days: number,
  firstDay = '2026-11-01',
): Promise<BackfillLoad> {
  const from = new Date(`${firstDay}T00:00:00Z`);
  const to = new Date(from.getTime() + (days - 1) * 86_400_000).toISOString().slice(0, 10);
  const cli = new Role(
    'backfill',
    ['dags', 'backfill', BACKFILL_DAG, '--from', firstDay, '--to', to, '--json'],
    async () => world.env(),
  );
  await cli.start();
  const { knex } = world;
  const total = days * 24;
  const started = Date.now();
  for (;;) {
    const row = await knex('orchestrator.backfills')
      .where({ dag_id: BACKFILL_DAG })
      .first('id')
      .catch(() => undefined);
    if (row) break;
    if (!cli.running() || Date.now() - started > 60_000)
      throw new Error(`the backfill was not recorded\n${cli.tail()}`);
    await sleep(200);
  }
  await cli.stop('SIGKILL');
  const runs = () =>
    knex('orchestrator.dag_runs')
      .where({ dag_id: BACKFILL_DAG, run_type: 'backfill' })
      .whereRaw('logical_date >= ?', [from]);
  const succeeded = async () =>
    Number((await runs().clone().where({ state: 'success' }).countDistinct({ n: 'logical_date' }))[0]!.n);
  return {
    total,
    succeeded,
    done: async () => (await succeeded()) === total,
    async tally() {
      const [row] = await runs()
        .clone()
        .select(knex.raw('count(*)::int AS runs'), knex.raw('count(DISTINCT logical_date)::int AS dates'));
      const ok = await succeeded();
      return { lost: total - ok, doubled: (row.runs as number) - (row.dates as number) };
    },
  };
}
