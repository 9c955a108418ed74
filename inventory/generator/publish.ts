import { setTimeout as delay } from 'node:timers/promises';
import { CompressionTypes, Partitioners, type Kafka } from 'kafkajs';
import { InvalidInputError } from '../../platform/index.js';
import { liveEvents, toKafkaMessage } from './live.js';
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
}

export interface PublishProgress {
  events: number;
  seconds: number;
}

export interface PublishSummary extends PublishProgress {
  /** Of `events`, those of injected incidents (`injectAnomalies`), which ride off the rate. */
  injected: number;
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
  const events = liveEvents(
    options.eventTime
      ? { ...options, start: options.eventTime.start, rate: options.eventTime.rate }
      : { ...options, clock: Date.now },
  );
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  let sent = 0;
  let injected = 0;
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
      while (paced < size) {
        const event = events.next().value;
        messages.push(toKafkaMessage(event));
        if (!isInjected(event)) paced++;
      }
      await producer.send({ topic, messages, compression: CompressionTypes.None });
      sent += paced;
      injected += messages.length - paced;
      onProgress?.({ events: sent, seconds: elapsed() / 1000 });
    }
  } finally {
    await producer.disconnect();
  }
  const seconds = elapsed() / 1000;
  const total = sent + injected;
  return { events: total, injected, seconds, events_per_s: seconds > 0 ? total / seconds : 0, stopped };
}
