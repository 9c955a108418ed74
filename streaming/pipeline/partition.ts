import type { Knex } from 'knex';
import { severityRank } from '../../inventory/alerts/index.js';
import { EVENT_TYPES } from '../../inventory/events/index.js';
import { ANOMALY_TYPES } from '../../inventory/rules/index.js';
import {
  loadForecasts,
  loadPairHistory,
  loadPartitionProgress,
  loadWindowEvents,
  pairId,
  type PairKey,
} from '../store/index.js';
import type { Accepted } from './admit.js';
import { STOCKOUT_ALERT, dedupKey } from './alerts.js';
import { resumeEpisodes } from './anomalies.js';
import { PairMap } from './pairMap.js';
import { FORECAST_MAX_AGE_DAYS, PairState } from './pairState.js';
import { PartitionWindows, earliestOpenEventTime } from './windows.js';

/**
 * What one instance holds for a partition it owns. Built from PostgreSQL when the partition is
 * first handled in a group generation, and thrown away (to be rebuilt) when a batch fails, so
 * the in-memory state never runs ahead of what was committed.
 */
export class PartitionState {
  /** Offset of the next message to apply; null when the group never applied any from this partition. */
  nextOffset: bigint | null;
  readonly windows: PartitionWindows;
  /** Detector state of the pairs seen since the partition was (re)loaded. */
  readonly pairs = new PairMap<PairState>();

  constructor(
    readonly partition: number,
    readonly generation: number,
    nextOffset: bigint | null,
    windows: PartitionWindows,
  ) {
    this.nextOffset = nextOffset;
    this.windows = windows;
  }
}

/**
 * Loads a partition's progress and rebuilds its open windows from the ledger rows it delivered
 * since the earliest start of a window that is still open at the stored watermark.
 */
export async function loadPartitionState(
  db: Knex,
  args: { groupId: string; topic: string; partition: number; generation: number; allowedLatenessMs: number },
): Promise<PartitionState> {
  const progress = await loadPartitionProgress(db, args.groupId, args.topic, args.partition);
  const windows = new PartitionWindows(args.allowedLatenessMs, progress?.maxEventTime ?? null);
  if (progress?.maxEventTime) {
    const from = new Date(earliestOpenEventTime(windows.watermark));
    for (const r of await loadWindowEvents(db, args.partition, from)) {
      windows.rebuild(r.sku, r.warehouseId, r.quantityChange, r.occurredAt.getTime());
    }
  }
  return new PartitionState(
    args.partition,
    args.generation,
    progress ? BigInt(progress.nextOffset) : null,
    windows,
  );
}

const STORED_TYPES = EVENT_TYPES.filter((t) => t !== 'INVENTORY_UPDATE');
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Gives every accepted event its pair's detector state, loading those the partition state lacks
 * (pairs not seen since the partition was taken) from PostgreSQL first, then the stored demand
 * forecast of the pairs whose day moved on (`refreshForecasts`).
 */
export async function loadPairs(
  db: Knex,
  state: PartitionState,
  accepted: readonly Accepted[],
): Promise<void> {
  const missing = new PairMap<PairKey>();
  let minTime = Infinity;
  let maxTime = -Infinity;
  for (const a of accepted) {
    const e = a.event;
    a.pair = state.pairs.get(e.sku, e.warehouseId);
    if (a.pair || missing.get(e.sku, e.warehouseId)) continue;
    missing.set(e.sku, e.warehouseId, { sku: e.sku, warehouseId: e.warehouseId });
    const t = e.occurredAt.getTime();
    if (t < minTime) minTime = t;
    if (t > maxTime) maxTime = t;
  }
  if (missing.size > 0) await loadMissing(db, state, [...missing.values()], minTime, maxTime);
  for (const a of accepted) a.pair ??= state.pairs.get(a.event.sku, a.event.warehouseId);
  await refreshForecasts(db, accepted);
}

async function loadMissing(
  db: Knex,
  state: PartitionState,
  keys: PairKey[],
  minTime: number,
  maxTime: number,
): Promise<void> {
  const histories = await loadPairHistory(db, keys, {
    recentFrom: new Date(minTime - HOUR_MS),
    salesFrom: new Date(Math.floor(maxTime / DAY_MS) * DAY_MS - 31 * DAY_MS),
    eventTypes: STORED_TYPES,
    alertKeys: (p) => [STOCKOUT_ALERT, ...ANOMALY_TYPES].map((t) => dedupKey(t, p.sku, p.warehouseId)),
  });
  for (const k of keys) {
    const history = histories.get(pairId(k.sku, k.warehouseId))!;
    const pair = PairState.fromHistory(k.sku, k.warehouseId, history, severityRank);
    resumeEpisodes(pair);
    state.pairs.set(k.sku, k.warehouseId, pair);
  }
}

/**
 * Loads the newest stored demand forecast (SPEC §5, made by the daily ETL) of every pair whose
 * latest event in the chunk falls on a day after its forecast's: one statement for the chunk.
 * The stock-out probability uses a forecast only for events of later days, so one made in the
 * middle of a chunk is never applied to its own day.
 */
async function refreshForecasts(db: Knex, accepted: readonly Accepted[]): Promise<void> {
  const latest = new Map<PairState, number>();
  for (const a of accepted) {
    const t = a.event.occurredAt.getTime();
    if (a.pair && !((latest.get(a.pair) ?? -Infinity) >= t)) latest.set(a.pair, t);
  }
  const ask: Array<{ sku: string; warehouseId: string; want: number; pair: PairState; at: number }> = [];
  for (const [pair, t] of latest) {
    const want = pair.forecastToAsk(t);
    if (want !== null) ask.push({ sku: pair.sku, warehouseId: pair.warehouseId, want, pair, at: t });
  }
  if (ask.length === 0) return;
  const found = await loadForecasts(db, ask, FORECAST_MAX_AGE_DAYS, pairId);
  for (const q of ask) {
    q.pair.forecastAsked = { want: q.want, at: q.at };
    const f = found.get(pairId(q.sku, q.warehouseId));
    if (f && !(q.pair.forecast && q.pair.forecast.day >= f.day)) q.pair.forecast = f;
  }
}
