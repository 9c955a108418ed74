/** How many events a simulated day of the catalogue holds, and the rate at which event time is real time. */
import type { MasterData } from './master.js';

/**
 * Stream rows per sale line of the catalogue's demand (reservation round trips, returns,
 * receipts, write-offs), as in the history; only used to size a simulated day in events.
 */
const ROWS_PER_SALE_LINE = 1.12;

/**
 * Events in one simulated day of the catalogue: its sale lines per day at every warehouse, plus
 * the rows that follow them. Follow-ups (deliveries after the lead time, pick-ups, returns,
 * transfers) are scheduled this many events per day ahead, so the stream runs the same simulation
 * at any rate; only the time stamps stretch or shrink.
 */
export function eventsPerDay(master: MasterData): number {
  const sales = master.products.reduce((sum, p) => sum + p.demand.salesPerDay, 0);
  const sites = master.warehouses.reduce((sum, w) => sum + w.demandFactor, 0);
  return Math.max(1, sales * sites * ROWS_PER_SALE_LINE);
}

/**
 * The rate (events per second) at which event time is simulated time: a day of the catalogue's
 * trade takes a day. The time-based anomaly rules (an hour's outflow, a minute's events; SPEC §7)
 * judge a stream at this rate as ordinary; a faster stream is a time-lapse, where an hour of event
 * time holds days of trade.
 */
export function naturalRate(master: MasterData): number {
  return eventsPerDay(master) / 86_400;
}

/** How a live feed's events are timed (see `planFeedTime`). */
export type FeedTime =
  | { kind: 'live'; naturalRate: number }
  | {
      kind: 'time-lapse';
      naturalRate: number;
      /** Simulated seconds per second of publishing. */
      factor: number;
      /** Event time of the first event (epoch ms); the last lands at about `end`. */
      start: number;
      end: number;
    };

/**
 * Up to 1.5 × the natural rate, a feed is live: each event is stamped with the wall clock when it
 * is sent, and an hour of event time holds about an hour of trade. Faster, it is a time-lapse: the
 * events are stamped in simulated time at the natural rate, ending at `now`, so an hour of event
 * time still holds an hour of trade and the rate rules (SPEC §7) judge it as ordinary; what is
 * sped up is only how fast that history reaches the broker. A time-lapse needs an end (a count,
 * or a duration at the given rate) to know where its simulated time starts; `undefined` when it
 * has none.
 */
export function planFeedTime(
  master: MasterData,
  rate: number,
  now: number,
  end: { count?: number; durationS?: number },
): FeedTime | undefined {
  const natural = naturalRate(master);
  if (rate <= natural * 1.5) return { kind: 'live', naturalRate: natural };
  const events = end.count ?? (end.durationS === undefined ? undefined : end.durationS * rate);
  if (events === undefined) return undefined;
  const spanMs = Math.round((events / natural) * 1000);
  return { kind: 'time-lapse', naturalRate: natural, factor: rate / natural, start: now - spanMs, end: now };
}
