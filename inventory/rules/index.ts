/**
 * The anomaly rules of SPEC §7: their names and thresholds. The stream's detectors judge by them
 * and the generator shapes its normal traffic to stay inside them, so both read this one place.
 */
export const ANOMALY_TYPES = [
  'VOLUME_ZSCORE',
  'VOLUME_IQR',
  'AFTER_HOURS',
  'WEEKEND_ACTIVITY',
  'NEGATIVE_STOCK',
  'HIGH_VALUE',
  'RAPID_DEPLETION',
  'FREQUENCY_SPIKE',
] as const;
export type AnomalyType = (typeof ANOMALY_TYPES)[number];

/** The SPEC §7 thresholds. */
export const ANOMALY_RULES = {
  /** |z| above this against the last changes of the same type. */
  zScore: 3,
  /** Changes of a type that must have been seen before the volume rules apply. */
  minHistory: 20,
  iqrFactor: 1.5,
  /**
   * Smallest IQR the fences are built from, for the same reason as `minStdDev`: a history of
   * identical whole-unit changes has IQR 0, and a change of one unit more is no outlier.
   */
  minIqr: 1,
  /** |change| · unit_cost above this (currency units). */
  highValue: 10_000,
  /** Outflow in the trailing hour above this share of on-hand at its start. */
  rapidDepletionShare: 0.5,
  /**
   * …in at least this many outflow events: a run on the product. Without it, the last sale or two
   * of a nearly empty shelf (2 of 3 units) fired it; that is the stock-out alert's news.
   */
  rapidDepletionMinOutflows: 3,
  /**
   * …from a stocked shelf: on-hand at the hour's start of at least this many days of the pair's
   * ordinary sales (its mean daily sales over the 28 days before the event's day). An hour of
   * ordinary trade against a nearly empty booked shelf (receipts running behind the goods, a bin
   * about to run out) fired the rule; that is the stock-out alert's news, not a run on the product.
   */
  rapidDepletionMinDaysOfSales: 1,
  /** Events in one minute above this multiple of the pair's baseline rate. */
  frequencyFactor: 5,
  /** A spike needs at least this many events in the minute (a quiet pair's 2 events are no spike). */
  frequencyMinEvents: 10,
  /** …and a baseline observed over at least this many minutes. */
  frequencyMinBaselineMinutes: 10,
  /**
   * Smallest spread the z-score divides by: quantities are whole units, so a history of identical
   * changes must not turn a one-unit difference into an infinite z.
   */
  minStdDev: 1,
} as const;
