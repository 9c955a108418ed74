import { normalCdf, Z_95 } from './normal.js';

/**
 * μ: expected daily demand over the coming lead time, the mean of the two velocities plus half
 * the lead time's worth of trend, never negative.
 */
export function expectedDailyDemand(
  velocity7d: number,
  velocity30d: number,
  trendPerDay: number,
  leadTimeDays: number,
): number {
  return Math.max(0, (velocity7d + velocity30d) / 2 + (trendPerDay * leadTimeDays) / 2);
}

/** σ_L = volatility · √L: the standard deviation of demand over the lead time. */
export function leadTimeSigma(volatility: number, leadTimeDays: number): number {
  return volatility * Math.sqrt(leadTimeDays);
}

/**
 * P(demand over the lead time > available) = 1 − Φ((available − μL) / σ_L). With σ_L = 0 demand
 * is certain: 1 when available < μL, else 0.
 */
export function stockoutRisk(available: number, leadTimeDemand: number, sigmaL: number): number {
  if (sigmaL === 0) return available < leadTimeDemand ? 1 : 0;
  return 1 - normalCdf((available - leadTimeDemand) / sigmaL);
}

/** z(0.95) · σ_L. */
export function safetyStock(sigmaL: number): number {
  return Z_95 * sigmaL;
}

export type AlertSeverity = 'medium' | 'high' | 'critical';

/**
 * Severity of a stock-out alert (SPEC §5): critical when nothing is available, high at risk
 * ≥ 0.5, medium at ≥ 0.2, otherwise no alert (undefined).
 */
export function alertSeverity(risk: number, available: number): AlertSeverity | undefined {
  if (available <= 0) return 'critical';
  if (risk >= 0.5) return 'high';
  if (risk >= 0.2) return 'medium';
  return undefined;
}

const RANK: Record<AlertSeverity | 'low', number> = { low: 0, medium: 1, high: 2, critical: 3 };

/** Orders severities: positive when `a` is more severe than `b`. */
export function compareSeverity(a: AlertSeverity | 'low', b: AlertSeverity | 'low'): number {
  return RANK[a] - RANK[b];
}
