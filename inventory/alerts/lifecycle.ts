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
 * A stock-out alert opens at risk ≥ 0.2 (medium) or nothing available, and resolves only when
 * something is available again and the risk has fallen below this lower threshold.
 */
export const STOCKOUT_RESOLVE_BELOW = 0.1;

/**
 * A low-stock alert opens at or below the reorder point (or risk ≥ 0.2, or nothing available),
 * and resolves only when available is above the reorder point by this fraction of it (at least
 * one unit) and the risk is below `STOCKOUT_RESOLVE_BELOW`.
 */
export const LOW_STOCK_CLEAR_MARGIN = 0.1;

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
