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
