import type { Knex } from 'knex';
import { InvalidInputError, type TopicNames } from '../platform/index.js';
import { loadDlqReplays, recordDlqReplays } from './store/index.js';
import type { Broker, TopicRecord } from './transport/index.js';

/**
 * The dead-letter topics for operators: what is on one and why (`x-dlq-reason`), and a replay
 * that produces a message's original key and bytes back to the topic it was refused on
 * (`inventory-events`, or `warehouse-orders`, `-shipments`, `-audit` for their DLQs). A replayed
 * message goes through the same validation and the same effectively-once write as any other (the
 * event id is the key of the ledger and of the order, shipment and audit events), so replaying
 * twice applies it once; replays are recorded (`streaming.dlq_replays`, per DLQ topic) so that a
 * second replay reports them as already replayed.
 */

/** The streams with a dead-letter topic, by the name `--topic` and the DLQ page take. */
export const DEAD_LETTER_STREAMS = ['inventory', 'orders', 'shipments', 'audit'] as const;
export type DeadLetterStream = (typeof DEAD_LETTER_STREAMS)[number];

/** The topic names a choice of stream needs (all of them: see `topicNames`). */
export type DeadLetterTopicNames = Pick<
  TopicNames,
  'events' | 'dlq' | 'orders' | 'ordersDlq' | 'shipments' | 'shipmentsDlq' | 'audit' | 'auditDlq'
>;

/** A DLQ topic (`dlq`) and the topic its messages were refused on, where a replay sends them (`events`). */
export interface DeadLetterTopics {
  events: string;
  dlq: string;
}

/** A stream's DLQ topic and its source topic. */
export function deadLetterTopics(topics: DeadLetterTopicNames, stream: DeadLetterStream): DeadLetterTopics {
  switch (stream) {
    case 'inventory':
      return { events: topics.events, dlq: topics.dlq };
    case 'orders':
      return { events: topics.orders, dlq: topics.ordersDlq };
    case 'shipments':
      return { events: topics.shipments, dlq: topics.shipmentsDlq };
    case 'audit':
      return { events: topics.audit, dlq: topics.auditDlq };
  }
}

/** A stream name as given on a command line or in a query, or undefined when it names none. */
export function parseDeadLetterStream(value: string): DeadLetterStream | undefined {
  const v = value.trim().toLowerCase();
  return (DEAD_LETTER_STREAMS as readonly string[]).includes(v) ? (v as DeadLetterStream) : undefined;
}

/** One message of the DLQ topic. */
export interface DeadLetter {
  /** `partition:offset` on the DLQ topic. */
  id: string;
  partition: number;
  offset: string;
  reason: string;
  detail: string;
  /** When it was dead-lettered (the DLQ record's timestamp). */
  deadAt: Date;
  source: { topic: string | null; partition: number | null; offset: string | null };
  key: string | null;
  value: Buffer | null;
  /** The event id, when the bytes are JSON with an `eventId` string. */
  eventId: string | null;
  replayedAt: Date | null;
}

export interface DeadLetterFilter {
  reason?: string;
  /** Dead-lettered at or after this time. */
  since?: Date;
}

export interface DeadLetterDeps {
  broker: Broker;
  db: Knex;
  /** One DLQ topic and the topic its replays go to: see `deadLetterTopics`. */
  topics: DeadLetterTopics;
}

/** What a DLQ tool of every stream needs: pick one stream's `DeadLetterDeps` with `deadLettersOf`. */
export interface DeadLetterSources {
  broker: Broker;
  db: Knex;
  topics: DeadLetterTopicNames;
}

/** The `DeadLetterDeps` of one stream. */
export function deadLettersOf(sources: DeadLetterSources, stream: DeadLetterStream): DeadLetterDeps {
  return { broker: sources.broker, db: sources.db, topics: deadLetterTopics(sources.topics, stream) };
}

export interface ReplayResult {
  dryRun: boolean;
  /** Sent back to the source topic now (or, in a dry run, that would be). */
  replayed: DeadLetter[];
  /** Selected, but replayed before: not sent again. */
  alreadyReplayed: DeadLetter[];
}

const text = (v: string | Buffer | undefined): string => (v === undefined ? '' : String(v));

function eventIdOf(value: Buffer | null): string | null {
  if (value === null) return null;
  try {
    const body = JSON.parse(value.toString('utf8')) as { eventId?: unknown };
    return typeof body?.eventId === 'string' ? body.eventId.trim().toLowerCase() : null;
  } catch {
    return null;
  }
}

function toDeadLetter(r: TopicRecord, replays: Map<string, Date>): DeadLetter {
  const id = `${r.partition}:${r.offset}`;
  const sourcePartition = text(r.headers['x-source-partition']);
  return {
    id,
    partition: r.partition,
    offset: r.offset,
    reason: text(r.headers['x-dlq-reason']) || 'unknown',
    detail: text(r.headers['x-dlq-detail']),
    deadAt: new Date(Number(r.timestamp)),
    source: {
      topic: text(r.headers['x-source-topic']) || null,
      partition: sourcePartition === '' ? null : Number(sourcePartition),
      offset: text(r.headers['x-source-offset']) || null,
    },
    key: r.key === null ? null : r.key.toString('utf8'),
    value: r.value,
    eventId: eventIdOf(r.value),
    replayedAt: replays.get(id) ?? null,
  };
}

/** Every message of the DLQ topic that the filter selects, oldest first per partition. */
export async function listDeadLetters(
  deps: DeadLetterDeps,
  filter: DeadLetterFilter = {},
): Promise<DeadLetter[]> {
  const [records, replays] = await Promise.all([
    deps.broker.readTopic(deps.topics.dlq),
    loadDlqReplays(deps.db, deps.topics.dlq),
  ]);
  return records
    .map((r) => toDeadLetter(r, replays))
    .filter(
      (d) =>
        (filter.reason === undefined || d.reason === filter.reason) &&
        (filter.since === undefined || d.deadAt.getTime() >= filter.since.getTime()),
    );
}

/**
 * One dead letter by `partition:offset`, by an offset alone (when one partition has it), or by
 * its event id; undefined when none matches.
 */
export async function findDeadLetter(deps: DeadLetterDeps, ref: string): Promise<DeadLetter | undefined> {
  const all = await listDeadLetters(deps);
  if (/^\d+:\d+$/.test(ref)) return all.find((d) => d.id === ref);
  if (/^\d+$/.test(ref)) {
    const found = all.filter((d) => d.offset === ref);
    if (found.length > 1) {
      throw new InvalidInputError(
        `offset ${ref} is on ${found.length} partitions: give PARTITION:OFFSET (${found.map((d) => d.id).join(', ')})`,
      );
    }
    return found[0];
  }
  const id = ref.trim().toLowerCase();
  return all.find((d) => d.eventId === id);
}

/**
 * Produces the selected dead letters not replayed before back to their source topic, with their
 * original key and bytes (and `x-replayed-from`), then records them. A crash between the two
 * leaves them unrecorded; the next replay sends them again, which the ledger absorbs.
 */
export async function replayDeadLetters(
  deps: DeadLetterDeps,
  filter: DeadLetterFilter & { dryRun?: boolean; by: string },
): Promise<ReplayResult> {
  const selected = await listDeadLetters(deps, filter);
  const fresh = selected.filter((d) => d.replayedAt === null);
  const alreadyReplayed = selected.filter((d) => d.replayedAt !== null);
  if (filter.dryRun || fresh.length === 0)
    return { dryRun: !!filter.dryRun, replayed: fresh, alreadyReplayed };
  const publisher = await deps.broker.publisher();
  try {
    await publisher.send(
      deps.topics.events,
      fresh.map((d) => ({
        key: d.key,
        value: d.value,
        headers: { 'x-replayed-from': `${deps.topics.dlq}/${d.id}` },
      })),
    );
  } finally {
    await publisher.close();
  }
  await recordDlqReplays(
    deps.db,
    fresh.map((d) => ({
      dlqTopic: deps.topics.dlq,
      partition: d.partition,
      offset: d.offset,
      reason: d.reason,
      replayedTo: deps.topics.events,
      replayedBy: filter.by,
    })),
  );
  const now = new Date();
  return { dryRun: false, replayed: fresh.map((d) => ({ ...d, replayedAt: now })), alreadyReplayed };
}
