import { quantileSorted } from 'simple-statistics';
import { RESERVATION_TYPES, type EventType } from '../../inventory/events/index.js';
import { ANOMALY_RULES as RULES, type AnomalyType } from '../../inventory/rules/index.js';
import type { Severity } from '../../inventory/alerts/index.js';
import type { EventContext } from './enrich.js';
import type { PairState } from './pairState.js';

/** One rule that fired on one event, with its own severity and risk (0–1). */
export interface FiredRule {
  type: AnomalyType;
  severity: Severity;
  risk: number;
  details: Record<string, number | string | boolean>;
}

/**
 * Combines the risks of the rules that fired on one event into one 0–1 score: the probability
 * that at least one of them is a real problem, treating them as independent (1 − Π(1 − rᵢ)).
 */
export function combineRisk(rules: readonly FiredRule[]): number {
  let keep = 1;
  for (const r of rules) keep *= 1 - r.risk;
  return Math.min(1, Math.max(0, 1 - keep));
}

function volumeRules(state: PairState, eventType: string, change: number, out: FiredRule[]): void {
  const history = state.changes(eventType);
  if (!history || history.length < RULES.minHistory) return;
  const mean = history.mean;
  const sd = history.stdDev;
  const z = (change - mean) / Math.max(sd, RULES.minStdDev);
  if (Math.abs(z) > RULES.zScore) {
    const a = Math.abs(z);
    const severity: Severity = a > 10 ? 'high' : a > 5 ? 'medium' : 'low';
    out.push({
      type: 'VOLUME_ZSCORE',
      severity,
      risk: Math.min(0.9, 0.1 + 0.05 * a),
      details: { z: round(z), mean: round(mean), stddev: round(sd), history: history.length },
    });
  }
  const sorted = history.sorted;
  const q1 = quantileSorted(sorted, 0.25);
  const q3 = quantileSorted(sorted, 0.75);
  const iqr = Math.max(q3 - q1, RULES.minIqr);
  const lo = q1 - RULES.iqrFactor * iqr;
  const hi = q3 + RULES.iqrFactor * iqr;
  if (change < lo || change > hi) {
    // How far outside the fences, in IQRs.
    const distance = (change < lo ? lo - change : change - hi) / iqr;
    const severity: Severity = distance > 6 ? 'medium' : 'low';
    out.push({
      type: 'VOLUME_IQR',
      severity,
      risk: Math.min(0.6, 0.1 + 0.05 * distance),
      details: { q1: round(q1), q3: round(q3), lower: round(lo), upper: round(hi) },
    });
  }
}

/**
 * Runs every SPEC §7 rule on one newly applied event and records it in the pair's state. The
 * volume rules look at the history before the event; the stock rules at the levels after it.
 * RAPID_DEPLETION and FREQUENCY_SPIKE describe episodes: they fire on the event that starts one
 * and stay quiet until it ends, instead of flagging every event of a busy hour (`resumeEpisodes`
 * carries an episode across a rebuild of the state).
 */
export function detectAnomalies(
  state: PairState,
  event: { eventType: string; quantityChange: number; occurredAt: Date },
  ctx: EventContext,
): FiredRule[] {
  const fired: FiredRule[] = [];
  const { eventType, quantityChange: change } = event;
  const t = event.occurredAt.getTime();
  volumeRules(state, eventType, change, fired);

  const value = Math.abs(change) * ctx.product.unitCost;
  if (value > RULES.highValue) {
    const severity: Severity = value > 250_000 ? 'critical' : value > 50_000 ? 'high' : 'medium';
    fired.push({
      type: 'HIGH_VALUE',
      severity,
      risk: severity === 'critical' ? 0.9 : severity === 'high' ? 0.7 : 0.4,
      details: { value: round(value), unitCost: ctx.product.unitCost },
    });
  }
  if (ctx.isWeekend && !ctx.warehouse.weekendOperation) {
    fired.push({
      type: 'WEEKEND_ACTIVITY',
      severity: 'low',
      risk: 0.15,
      details: { localTime: ctx.localTime, localDayOfWeek: ctx.localDayOfWeek },
    });
  } else if (!ctx.inBusinessHours) {
    fired.push({
      type: 'AFTER_HOURS',
      severity: 'low',
      risk: 0.1,
      details: { localTime: ctx.localTime, shift: ctx.shift },
    });
  }

  const onHandEvent = !RESERVATION_TYPES.has(eventType as EventType);
  state.observe(eventType, change, t);

  if (onHandEvent && change < 0 && state.onHand < 0) {
    fired.push({
      type: 'NEGATIVE_STOCK',
      severity: 'high',
      risk: 0.8,
      details: { onHandAfter: state.onHand },
    });
  }
  if (onHandEvent) {
    const { depleting, start, outflow } = depletion(state);
    if (depleting && !state.depleting && change < 0) {
      const share = outflow / start;
      fired.push({
        type: 'RAPID_DEPLETION',
        severity: share >= 0.9 ? 'high' : 'medium',
        risk: Math.min(0.9, 0.3 + 0.4 * share),
        details: { outflowLastHour: outflow, onHandHourAgo: start, share: round(share) },
      });
    }
    state.depleting = depleting;
  }
  const { spiking, minute, baseline } = frequencySpike(state);
  if (spiking && !state.spiking) {
    const factor = baseline > 0 ? minute / baseline : Infinity;
    fired.push({
      type: 'FREQUENCY_SPIKE',
      severity: factor > 20 ? 'high' : 'medium',
      risk: factor > 20 ? 0.7 : 0.4,
      details: { eventsLastMinute: minute, baselinePerMinute: round(baseline) },
    });
  }
  state.spiking = spiking;
  return fired;
}

/**
 * Sets a pair's episode flags from its trailing hour, for state rebuilt from the ledger: a new owner
 * of the partition (or a restarted one) stays quiet about an episode its predecessor reported.
 */
export function resumeEpisodes(state: PairState): void {
  state.depleting = depletion(state).depleting;
  state.spiking = frequencySpike(state).spiking;
}

/**
 * RAPID_DEPLETION's condition: more than a share of the on-hand of an hour ago went out since, in
 * a run of several outflows, from a shelf stocked with at least a day of the pair's ordinary
 * sales (the last sales of a nearly empty shelf are the stock-out alert's news, not a run on the
 * product).
 */
function depletion(state: PairState): { depleting: boolean; start: number; outflow: number } {
  const start = state.onHandHourAgo;
  const outflow = state.outflowLastHour;
  const run = state.outflowsLastHour >= RULES.rapidDepletionMinOutflows;
  const depleting =
    run &&
    start > 0 &&
    outflow > RULES.rapidDepletionShare * start &&
    start >= RULES.rapidDepletionMinDaysOfSales * state.ordinaryDailySales();
  return { depleting, start, outflow };
}

/**
 * FREQUENCY_SPIKE's condition. The baseline is the pair's rate over the part of the trailing hour
 * it has been active, so a stream that starts from silence is not a spike against the silence
 * before it.
 */
function frequencySpike(state: PairState): { spiking: boolean; minute: number; baseline: number } {
  const minute = state.minuteCount;
  const observedMinutes = Math.min(59, (state.maxEventTime - 60_000 - state.oldestInHour) / 60_000);
  if (minute < RULES.frequencyMinEvents || observedMinutes < RULES.frequencyMinBaselineMinutes)
    return { spiking: false, minute, baseline: 0 };
  const baseline = (state.hourCount - minute) / observedMinutes;
  return { spiking: minute > RULES.frequencyFactor * baseline, minute, baseline };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
