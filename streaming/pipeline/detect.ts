import {
  alertSeverity,
  computeMetrics,
  leadTimeDemand,
  stockoutProbability,
  type Metrics,
} from '../../inventory/analytics/index.js';
import {
  RESOLUTIONS,
  STOCKOUT_RESOLVE_BELOW,
  isStockoutAlert,
  severityRank,
} from '../../inventory/alerts/index.js';
import type { Logger } from '../../platform/index.js';
import type { AlertRow, AnomalyRow, AppliedEvents, ClosedWindow, LateWindowCount } from '../store/index.js';
import type { Accepted } from './admit.js';
import { ALERT_SOURCE, STOCKOUT_ALERT, dedupKey } from './alerts.js';
import { combineRisk, detectAnomalies, type FiredRule } from './anomalies.js';
import { causeId } from './causeIds.js';
import type { EventContext, MasterData } from './enrich.js';
import { IncidentLog } from './incidents.js';
import { dayKey, type PairState } from './pairState.js';
import type { PartitionState } from './partition.js';
import type { NormalisedEvent } from './validate.js';

/**
 * How far below a severity threshold the running-sum risk may be and still be checked exactly:
 * far above its rounding error, far below any difference that matters.
 */
const SCREEN_MARGIN = 1e-9;

/** Each pair's stock-out dedup key, built once: a pair at risk is asked after every change. */
const stockoutKeys = new WeakMap<PairState, string>();

/** What the detectors found in one chunk: the rows to write, and counts for the metrics. */
export interface Detection {
  anomalies: AnomalyRow[];
  /** The alert lifecycle's writes and news (openings and escalations to publish and mail). */
  incidents: IncidentLog;
  /** Windows closed by the chunk's watermark, with the late events they missed counted in. */
  closedWindows: ClosedWindow[];
  /** Late counts for windows closed by an earlier chunk. */
  lateWindows: LateWindowCount[];
  /** Pairs whose level or sales changed (for the metric cache). */
  changedPairs: PairState[];
  anomalyCounts: Map<string, number>;
  windowCounts: Map<string, number>;
  /** Late events: applied to stock, counted on each closed window they missed. */
  late: number;
}

/**
 * Stage 4, detect: windows, anomalies and stock-out risk after each change, in arrival order,
 * for the new events only; then the levels PostgreSQL returned, and the windows the new watermark
 * closes. It moves only the partition's in-memory state (thrown away if the chunk fails). An
 * alert names the event after which it was raised, so a chunk cut differently after a crash raises
 * the same alerts under the same ids; its lifecycle (open, repeat, resolve) runs on the pair's
 * event time, so a replay of history gives the same incidents as live traffic.
 */
export function detect(
  state: PartitionState,
  applied: readonly Accepted[],
  levels: AppliedEvents['levels'],
  env: { master: MasterData; logger: Logger },
): Detection {
  const { master } = env;
  const anomalies: AnomalyRow[] = [];
  const incidents = new IncidentLog();
  const anomalyCounts = new Map<string, number>();
  const windowCounts = new Map<string, number>();
  let late = 0;
  /** Pairs that changed, with the last event applied to each. */
  const changed = new Map<PairState, string>();
  // Index loops over the arrays a chunk brings (not for…of): an empty one has another elements
  // kind than a filled one, and optimised code iterating one kind was thrown out at every chunk
  // that brought the other (96 times in one benchmark run's steady phase).
  for (let i = 0; i < applied.length; i++) {
    const { event: e, pair: p } = applied[i]!;
    const pair = p!;
    late += state.windows.add(e.sku, e.warehouseId, e.quantityChange, e.occurredAt.getTime());
    const ctx = master.context(e.sku, e.warehouseId, e.occurredAt)!;
    const fired = detectAnomalies(pair, e, ctx);
    changed.set(pair, e.eventId);
    incidents.resolveQuiet(pair, pair.maxEventTime);
    if (fired.length > 0) {
      const risk = combineRisk(fired);
      for (const f of fired) {
        anomalyCounts.set(f.type, (anomalyCounts.get(f.type) ?? 0) + 1);
        anomalies.push({
          anomalyId: causeId('anomaly', f.type, e.eventId),
          eventId: e.eventId,
          sku: e.sku,
          warehouseId: e.warehouseId,
          anomalyType: f.type,
          severity: f.severity,
          riskScore: risk,
          details: {
            ...f.details,
            ruleRisk: f.risk,
            rules: fired.map((x) => x.type),
            eventType: e.eventType,
            quantityChange: e.quantityChange,
          },
          occurredAt: e.occurredAt,
        });
        if (severityRank(f.severity) >= 1)
          incidents.detect(pair, anomalyAlert(e, f, risk, fired, ctx), e.occurredAt.getTime());
      }
    }
    if (e.eventType === 'RESTOCK' || e.eventType === 'TRANSFER_IN')
      pair.receive(e.referenceId, e.quantityChange);
    checkStockout(master, pair, e.eventId, e.occurredAt.getTime(), incidents);
  }

  // The levels just written. They differ from memory only when something besides this partition
  // moved them (a correction in SQL, say): then memory follows, and the pair's stock-out risk is
  // checked once more, after its last event in the chunk.
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    const pair = state.pairs.get(level.sku, level.warehouseId);
    if (!pair) continue;
    if (pair.onHand !== level.onHand || pair.reserved !== level.reserved) {
      env.logger.warn(
        { sku: level.sku, warehouseId: level.warehouseId, memory: pair.onHand, stored: level.onHand },
        'in-memory level differed from PostgreSQL; using the stored one',
      );
      pair.onHand = level.onHand;
      pair.reserved = level.reserved;
      const last = changed.get(pair);
      if (last) checkStockout(master, pair, last, pair.maxEventTime, incidents);
    }
  }
  const changedPairs = [...changed.keys()];

  const closed = state.windows.closeDue();
  for (let i = 0; i < closed.length; i++) {
    const kind = closed[i]!.kind;
    windowCounts.set(kind, (windowCounts.get(kind) ?? 0) + 1);
  }
  const lateClosed = state.windows.takeLateForClosed();
  // A late count for a window that closes in this same chunk goes on that window's row.
  const closedKeys = new Map(
    closed.map((w) => [`${w.kind}|${w.start.getTime()}|${w.sku}|${w.warehouseId}`, w]),
  );
  const lateWindows = lateClosed.filter((l) => {
    const w = closedKeys.get(`${l.kind}|${l.start.getTime()}|${l.sku}|${l.warehouseId}`);
    if (w) w.lateEvents += l.count;
    return !w;
  });
  return {
    anomalies,
    incidents,
    closedWindows: closed,
    lateWindows,
    changedPairs,
    anomalyCounts,
    windowCounts,
    late,
  };
}

/**
 * The SPEC §5 metrics of a pair as of the end of `day`, its latest event's day, its reorder
 * figures planned on its stored demand forecast when one applies.
 */
function metricsOf(master: MasterData, pair: PairState, day: string): Metrics {
  const leadTimeDays = master.product(pair.sku)!.leadTimeDays;
  return computeMetrics({
    dailySales: pair.salesSeries(day),
    onHand: pair.onHand,
    reserved: pair.reserved,
    leadTimeDays,
    forecast: pair.forecastFor(leadTimeDays),
  });
}

/**
 * Raises a stock-out alert (SPEC §5) when the pair's stock-out probability at event time `at`
 * (available stock, what is on order at `at`, and the demand forecast of an earlier day) calls
 * for one (`isStockoutAlert`: nothing available, or the alert threshold reached on a forecast of
 * at least four weeks of sales), caused by `eventId`. The running-
 * sum demand screens every change; the alert itself is decided with the demand of
 * `computeMetrics`, the one definition, and only when its severity could be news (no incident
 * open, or an escalation of it); a repeat of the open incident only counts. Below the opening
 * threshold the open incident resolves once the probability is under `STOCKOUT_RESOLVE_BELOW`
 * with something available (hysteresis).
 */
function checkStockout(
  master: MasterData,
  pair: PairState,
  eventId: string,
  at: number,
  incidents: IncidentLog,
): void {
  const product = master.product(pair.sku)!;
  const L = product.leadTimeDays;
  const available = pair.onHand - pair.reserved;
  const { units: onOrder, daysToNextReceipt } = pair.onOrderAt(at);
  const position = { available, onOrder, daysToNextReceipt, leadTimeDays: L };
  const screened = stockoutProbability(position, pair.leadTimeDemand(L));
  const history = pair.forecastHistoryDays(L);
  const atMost = isStockoutAlert(screened + SCREEN_MARGIN, available, history)
    ? alertSeverity(screened + SCREEN_MARGIN, available)
    : undefined;
  let key = stockoutKeys.get(pair);
  if (!key) stockoutKeys.set(pair, (key = dedupKey(STOCKOUT_ALERT, pair.sku, pair.warehouseId)));
  const t = pair.maxEventTime;
  const open = pair.incidents.get(key);
  if (!atMost) {
    if (open && available > 0 && screened < STOCKOUT_RESOLVE_BELOW)
      incidents.resolve(pair, key, t, RESOLUTIONS.cleared);
    return;
  }
  if (open && severityRank(atMost) <= open.rank) return incidents.repeat(pair, key, t);
  const day = dayKey(pair.maxEventTime);
  const m = metricsOf(master, pair, day);
  const demand = leadTimeDemand({
    expectedDailyDemand: m.expected_daily_demand,
    volatility: m.volatility,
    leadTimeDays: L,
    forecast: pair.forecastFor(L),
  });
  const probability = stockoutProbability(position, demand);
  const severity = isStockoutAlert(probability, available, history)
    ? alertSeverity(probability, available)
    : undefined;
  if (!severity) return;
  incidents.detect(
    pair,
    {
      alertId: causeId('alert', STOCKOUT_ALERT, eventId),
      alertType: STOCKOUT_ALERT,
      severity,
      source: ALERT_SOURCE,
      sku: pair.sku,
      warehouseId: pair.warehouseId,
      message:
        available <= 0
          ? `${pair.sku} at ${pair.warehouseId} has nothing available (${available})`
          : `${pair.sku} at ${pair.warehouseId}: stock-out probability ${(probability * 100).toFixed(0)}% within the ${L}-day lead time (${onOrder} on order)`,
      details: {
        eventId,
        stockoutProbability: probability,
        stockoutRisk: m.stockout_risk,
        available,
        onOrder,
        onHand: pair.onHand,
        reserved: pair.reserved,
        expectedDailyDemand: m.expected_daily_demand,
        reorderQuantity: m.reorder_quantity,
        asOfDate: day,
      },
      dedupKey: key,
    },
    t,
  );
}

function anomalyAlert(
  e: NormalisedEvent,
  f: FiredRule,
  risk: number,
  fired: readonly FiredRule[],
  ctx: EventContext,
): AlertRow {
  return {
    alertId: causeId('alert', f.type, e.eventId),
    alertType: f.type,
    severity: f.severity,
    source: ALERT_SOURCE,
    sku: e.sku,
    warehouseId: e.warehouseId,
    message: `${f.type.replace(/_/g, ' ').toLowerCase()}: ${e.eventType} ${e.quantityChange} of ${e.sku} at ${e.warehouseId}`,
    details: {
      eventId: e.eventId,
      anomalyId: causeId('anomaly', f.type, e.eventId),
      eventType: e.eventType,
      quantityChange: e.quantityChange,
      occurredAt: e.occurredAt.toISOString(),
      localTime: ctx.localTime,
      shift: ctx.shift,
      category: ctx.product.category,
      zone: ctx.warehouse.zone,
      value: Math.abs(e.quantityChange) * ctx.product.unitCost,
      riskScore: risk,
      rules: fired.map((x) => x.type),
      ...f.details,
    },
    dedupKey: dedupKey(f.type, e.sku, e.warehouseId),
  };
}
