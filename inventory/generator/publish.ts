import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { CompressionTypes, type Kafka, type TopicMessages } from 'kafkajs';
import { createIdempotentProducer, InvalidInputError } from '../../platform/index.js';
import { toKafkaRecord, type FulfilmentStream } from '../fulfilment/index.js';
import { FulfilmentFeed } from './fulfilmentFeed.js';
import { liveEvents, toKafkaMessage } from './live.js';
import { Rng } from './random.js';
import { naturalRate } from './rate.js';
import { DAY_MS } from './zone.js';
import { isInjected } from './liveIncidents.js';
import type { LiveOptions } from './liveOptions.js';

export interface PublishOptions extends Omit<LiveOptions, 'clock' | 'start' | 'rate'> {
  /** Events per second; `Infinity` sends as fast as the broker accepts. @defaultValue 100 */
  rate?: number;
  /**
   * Stamp events in simulated time instead of the wall clock: event i at `start + i / rate`
   * seconds (`rate` = `naturalRate(master)`, where a simulated day takes a day of event time),
   * however fast they are sent. A time-lapse (see `timeLapse`) uses it so that an hour of event
   * time holds an hour of trade. @defaultValue the wall clock when each event is generated
   */
  eventTime?: { start: number; rate: number };
  /** Stop after this many events. */
  count?: number;
  /** Stop after this many milliseconds. */
  durationMs?: number;
  /** Stop (after flushing what was generated) when this aborts, e.g. on SIGINT/SIGTERM. */
  signal?: AbortSignal;
  /** Largest number of events in one produce request. @defaultValue 1000 */
  maxBatch?: number;
  /**
   * Also publish the order, shipment and audit streams derived from the events
   * (`FulfilmentFeed`), to these topics, each event once its event time has come.
   */
  fulfilmentTopics?: Readonly<Record<FulfilmentStream, string>>;
}

export interface PublishProgress {
  events: number;
  seconds: number;
}

export interface PublishSummary extends PublishProgress {
  /** Of `events`, those of injected incidents (`injectAnomalies`), which ride off the rate. */
  injected: number;
  /** Order, shipment and audit events published besides (`fulfilmentTopics`). */
  fulfilment: number;
  events_per_s: number;
  /** Why publishing ended. */
  stopped: 'count' | 'duration' | 'signal';
}

/** How often a throttled publisher wakes up to send what has come due. */
const TICK_MS = 50;

/**
 * Publishes live events (see `liveEvents`), stamped with the wall clock when they are sent (or in
 * simulated time, `eventTime`), at
 * `rate` events per second until `count`, `durationMs` or `signal` says stop, whichever comes
 * first (without any of them it runs until the signal). One produce request is in flight at a
 * time, so events of a pair reach their partition in the order they were generated (a
 * reservation's release before its sale).
 */
export async function publishToKafka(
  kafka: Kafka,
  topic: string,
  options: PublishOptions,
  onProgress?: (progress: PublishProgress) => void,
): Promise<PublishSummary> {
  const rate = options.rate ?? 100;
  const maxBatch = options.maxBatch ?? 1000;
  if (!(rate > 0)) throw new InvalidInputError(`rate must be positive (got ${rate})`);
  if (options.count !== undefined && !(Number.isInteger(options.count) && options.count >= 0)) {
    throw new InvalidInputError(`count must be a whole number (got ${options.count})`);
  }
  if (options.durationMs !== undefined && !(options.durationMs >= 0)) {
    throw new InvalidInputError(`duration must not be negative (got ${options.durationMs})`);
  }
  const { count = Infinity, durationMs = Infinity, signal } = options;
  const idSpace = options.idSpace ?? randomUUID();
  // Delays of the order stream follow the events' time scale: a simulated day is a day of event
  // time at the natural rate, and shrinks as a wall-clock feed runs faster. Its incidents (late
  // dispatches labelled, exceptions and night edits injected) go to the same labels.
  const inject = options.injectAnomalies;
  const feed =
    options.fulfilmentTopics &&
    new FulfilmentFeed(new Rng(options.seed ?? 42, 'fulfilment', idSpace), {
      master: options.master,
      msPerDay: (DAY_MS * naturalRate(options.master)) / (options.eventTime?.rate ?? rate),
      ...(inject?.onLabel
        ? {
            incidents: {
              seed: options.seed ?? 42,
              rate: inject.rate,
              nightEdits: true,
              onLabel: inject.onLabel,
            },
          }
        : {}),
    });
  const events = liveEvents({
    ...options,
    idSpace,
    ...(options.eventTime
      ? { start: options.eventTime.start, rate: options.eventTime.rate }
      : { clock: Date.now }),
    ...(feed ? { onLostLine: (line) => feed.lostLine(line) } : {}),
  });
  // Idempotent: the feed is exactly the events it reports, a retried request included.
  const producer = await createIdempotentProducer(kafka);
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  let sent = 0;
  let injected = 0;
  let fulfilment = 0;
  let stopped: PublishSummary['stopped'] = 'signal';
  try {
    for (;;) {
      if (signal?.aborted) break;
      if (sent >= count) {
        stopped = 'count';
        break;
      }
      if (elapsed() >= durationMs) {
        stopped = 'duration';
        break;
      }
      const due = rate === Infinity ? maxBatch : Math.floor((elapsed() * rate) / 1000) - sent;
      const size = Math.min(due, maxBatch, count - sent);
      if (size <= 0) {
        const untilNext = ((sent + 1) * 1000) / rate - elapsed();
        const wait = Math.max(1, Math.min(TICK_MS, untilNext, durationMs - elapsed()));
        await delay(wait, undefined, signal ? { signal } : {}).catch(() => undefined);
        continue;
      }
      // Injected incidents ride along with the events due: they are not paced.
      const messages: Array<{ key: string; value: string }> = [];
      let paced = 0;
      let eventTime = -Infinity;
      while (paced < size) {
        const event = events.next().value;
        messages.push(toKafkaMessage(event));
        if (!isInjected(event)) paced++;
        if (feed) {
          const at = typeof event.timestamp === 'number' ? event.timestamp : Date.parse(event.timestamp);
          eventTime = Math.max(eventTime, at);
          feed.observe({ ...event, at, reference: event.referenceId ?? null, notes: event.notes ?? null });
        }
      }
      const topicMessages: TopicMessages[] = [{ topic, messages }];
      if (feed) {
        const due = feed.drain(eventTime);
        fulfilment += due.length;
        for (const [stream, name] of Object.entries(options.fulfilmentTopics!)) {
          const mine = due.filter((e) => e.stream === stream).map(toKafkaRecord);
          if (mine.length > 0) topicMessages.push({ topic: name, messages: mine });
        }
      }
      await producer.sendBatch({ topicMessages, compression: CompressionTypes.None });
      sent += paced;
      injected += messages.length - paced;
      onProgress?.({ events: sent, seconds: elapsed() / 1000 });
    }
  } finally {
    await producer.disconnect();
  }
  const seconds = elapsed() / 1000;
  const total = sent + injected;
  return {
    events: total,
    injected,
    fulfilment,
    seconds,
    events_per_s: seconds > 0 ? total / seconds : 0,
    stopped,
  };
}
