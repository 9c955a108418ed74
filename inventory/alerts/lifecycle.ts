import { SEVERITIES, severityRank, type Severity } from './severity.js';

/**
 * The alert lifecycle's policy, in one place (docs/SPEC.md §5a). An alert is an *incident* per
 * dedup key: it opens once, repeat detections update it while it is open, and it resolves by
 * itself when its condition clears — with hysteresis, so a value wobbling around the opening
 * threshold does not open and resolve again and again.
 */

/** Why an alert was resolved (`analytics.alerts.resolution`). Stored: never rename one. */
export const RESOLUTIONS = {
  /** The condition cleared with margin (stock-out risk, low stock). */
  cleared: 'cleared',
  /** An instant anomaly did not repeat for `ANOMALY_QUIET_MS` of event time. */
  quiet: 'quiet',
  /** The data-quality rule passed in a later run. */
  passed: 'passed',
  /** An older duplicate collapsed into the newest open alert of its key (migration 0009). */
  superseded: 'superseded',
  /** A late-dispatch risk: its order left the warehouse (a DISPATCHED shipment). */
  dispatched: 'dispatched',
  /** A late-dispatch risk: its order was cancelled. */
  cancelled: 'cancelled',
  /** A shipment exception: the parcel was delivered after it. */
  delivered: 'delivered',
  /** A shipment exception: the carrier scanned the parcel in transit again after it. */
  backInTransit: 'back_in_transit',
} as const;
export type Resolution = (typeof RESOLUTIONS)[keyof typeof RESOLUTIONS];

/**
 * An anomaly alert (an instant event: VOLUME_ZSCORE, HIGH_VALUE, AFTER_HOURS …) resolves once its
 * rule has not fired again on the pair for this long, in event time; `resolved_at` is then its
 * last detection plus this period, whoever writes it (the stream on a later event of the pair,
 * or the low_stock_alerts sweep), so a replay gives the same lifecycle as live traffic.
 */
export const ANOMALY_QUIET_MS = 24 * 3_600_000;

/**
 * The calibrated stock-out probability (SPEC §5) at which a stock-out alert opens: the stream's
 * STOCKOUT_RISK and the low-stock check's LOW_STOCK. Nothing available opens one whatever the
 * probability. The probability itself is shown at every level (dashboard, API, reorder
 * recommendations); below this threshold a pair at risk gets a reorder recommendation, not a
 * page. The lowest threshold at which both detectors' alerts were right nine times in ten on
 * each training year (seeds 11, 13 and 14, `wareflow eval stockout --thresholds`, with the
 * calibration fitted on the three pooled), checked on a held-out one (docs/SPEC.md §5).
 */
export const STOCKOUT_ALERT_AT = 0.9;

/**
 * A stock-out alert resolves only when something is available again and the probability has
 * fallen below this lower threshold (hysteresis: a probability wobbling around the opening
 * threshold opens one incident). Chosen with the threshold: lower, an incident that did not come
 * true stayed open for weeks (the calibration of the time rarely fell below 0.1) and swallowed
 * the pair's next stock-out.
 */
export const STOCKOUT_RESOLVE_BELOW = 0.2;

/**
 * Days of sales the demand forecast must rest on before its probability can open an alert: a
 * forecast of a pair's first weeks (the mean of a few days) says little about the lead time, and
 * its warnings were mostly wrong. Nothing available alerts from the first day.
 */
export const STOCKOUT_WARNING_MIN_HISTORY_DAYS = 28;

/**
 * Whether a stock-out assessment opens (or keeps raising) an alert: nothing available, or the
 * threshold reached on a demand forecast trained on at least STOCKOUT_WARNING_MIN_HISTORY_DAYS.
 */
export const isStockoutAlert = (probability: number, available: number, historyDays: number): boolean =>
  available <= 0 || (historyDays >= STOCKOUT_WARNING_MIN_HISTORY_DAYS && probability >= STOCKOUT_ALERT_AT);

/**
 * A low-stock alert opens like a stock-out alert (`isStockoutAlert`), and resolves only when the
 * inventory position is above the reorder point by this fraction of it (at least one unit),
 * something is available and the probability is below `STOCKOUT_RESOLVE_BELOW`.
 */
export const LOW_STOCK_CLEAR_MARGIN = 0.1;

/**
 * A late-dispatch risk (LATE_DISPATCH_RISK) opens when an order in the pick queue is predicted to
 * leave at least this long after its promised dispatch (or its promise has passed), so that the
 * ordinary swing of the queue — a busy day's orders at its back — pages nobody.
 */
export const LATE_DISPATCH_OPEN_MARGIN_MS = 6 * 3_600_000;

/**
 * …and resolves, before its order is dispatched or cancelled, only when the order is predicted to
 * leave at least this long before its promise (hysteresis: a prediction wobbling around the
 * promise keeps one incident open). A promise that has passed never clears this way.
 */
export const LATE_DISPATCH_CLEAR_MARGIN_MS = 2 * 3_600_000;

/** Severities that are e-mailed: a new incident at one of them, or an escalation into one. */
export const MAILED_SEVERITIES: readonly Severity[] = ['high', 'critical'];

/** Whether an alert of `severity` is e-mailed. */
export const isMailed = (severity: string): boolean => severityRank(severity) >= severityRank('high');

/**
 * What a detection does to the incident of its key: `open` a new one, `escalate` the open one to
 * a higher severity (news: published, mailed when high/critical), or `repeat` (the open one is
 * updated — last seen, occurrences — and nothing is sent).
 */
export function detectionEffect(
  openRank: number | undefined,
  severity: Severity,
): 'open' | 'escalate' | 'repeat' {
  if (openRank === undefined) return 'open';
  return severityRank(severity) > openRank ? 'escalate' : 'repeat';
}

/** The highest of two severities. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITIES[Math.max(severityRank(a), severityRank(b))]!;
}
