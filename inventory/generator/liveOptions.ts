/** What a live stream is asked for: its master data, levels, rate, clock and seed. */
import type { MasterData } from './master.js';
import type { LiveInjection } from './liveIncidents.js';

export interface LiveLevel {
  sku: string;
  warehouseId: string;
  onHand: number;
  reserved: number;
}

export interface LiveOptions {
  /** Fixes the stream's shape: which pairs trade, when and how much. @defaultValue 42 */
  seed?: number;
  /**
   * Event ids are drawn from (seed, idSpace): the seed fixes the data's shape, not its ids, so a
   * restarted feed never sends an id the warehouse already holds. Pass one to repeat a stream
   * exactly. @defaultValue a random value per stream
   */
  idSpace?: string;
  master: MasterData;
  /** Event time of the first event. @defaultValue now */
  start?: Date | string | number;
  /**
   * Events per second of event time: event i is stamped `start + i / rate` seconds, so
   * publishing at `rate` keeps event time in step with the wall clock. At `naturalRate(master)`
   * a simulated day takes a day of event time; faster rates are a time-lapse of the same
   * simulation. @defaultValue 100
   */
  rate?: number;
  /** Stamps each event with this clock instead (publishToKafka passes `Date.now`). */
  clock?: () => number;
  /** Each pair's stock when the stream starts. @defaultValue the generator's opening stock per pair */
  levels?: Iterable<LiveLevel>;
  /**
   * Draw events only for warehouses inside business hours (and not on a weekend they are closed),
   * so ordinary traffic raises no after-hours or weekend anomalies; when every warehouse is closed
   * the stream carries on from all of them. @defaultValue true
   */
  businessHoursOnly?: boolean;
  /** Inject labelled incidents into the stream (liveIncidents.ts, LABELS.md). */
  injectAnomalies?: LiveInjection;
  /** Told of every sale line the stock could not fill (no event says so): the order stream's backorders. */
  onLostLine?: (line: { sku: string; warehouseId: string; quantity: number; at: number }) => void;
}
