import {
  ANOMALY_QUIET_MS,
  RESOLUTIONS,
  SEVERITIES,
  STOCKOUT_ALERT,
  detectionEffect,
  severityRank,
  type NewAlert,
  type OpenAlertUpdate,
  type Resolution,
  type WrittenAlert,
} from '../../inventory/alerts/index.js';
import type { OpenIncident } from './pairState.js';

export type { OpenIncident };

/**
 * Whoever holds open incidents by dedup key: a pair's state (the inventory stream), or the
 * subjects a fulfilment chunk loaded (its orders, shipments, audited entities).
 */
export interface IncidentHolder {
  readonly incidents: Map<string, OpenIncident>;
}

/** A stream alert published on `inventory-alerts` and e-mailed when high/critical. */
export interface AlertNews {
  row: NewAlert;
  /** `opened`: a new incident; `escalated`: the open one rose to `row.severity`. */
  change: 'opened' | 'escalated';
}

/**
 * The alert lifecycle of one chunk, in event time (docs/SPEC.md §5a): each detection opens an
 * incident for its dedup key, or folds into the open one (last seen, occurrences, the highest
 * severity); a cleared condition or a quiet period resolves it. It moves the pairs' in-memory
 * incidents as it goes (thrown away with the partition state if the chunk fails) and collects
 * the chunk's writes: new incidents to insert (some already resolved), one update per incident
 * that was open before the chunk, and the news to publish and mail — openings and escalations
 * only, so a repeat or a resolution never sends anything.
 */
export class IncidentLog {
  /** New incidents, in order; at most one per key is still open. */
  readonly opened: NewAlert[] = [];
  /** Incidents open before the chunk, by key. */
  readonly updates = new Map<string, OpenAlertUpdate>();
  readonly news: AlertNews[] = [];
  /** The row in `opened` of each key whose incident opened in this chunk and is still open. */
  private readonly current = new Map<string, NewAlert>();

  /**
   * After the write: an opening that folded into an alert another writer opened first (or that
   * was stored before, a replay) is not news — that writer published and mailed it.
   */
  settle(written: readonly WrittenAlert[]): void {
    const opened = new Set(written.filter((w) => w.opened).map((w) => w.alert_id));
    const news = this.news.filter((n) => n.change !== 'opened' || opened.has(n.row.alertId));
    this.news.splice(0, this.news.length, ...news);
  }

  /** A detection of `row` (its dedup key and severity) at event time `t`. */
  detect(pair: IncidentHolder, row: NewAlert, t: number): void {
    const key = row.dedupKey;
    const open = pair.incidents.get(key);
    if (!open) {
      const opened: NewAlert = { ...row, openedAt: new Date(t), lastSeenAt: new Date(t), occurrences: 1 };
      this.opened.push(opened);
      this.current.set(key, opened);
      pair.incidents.set(key, { alertId: row.alertId, rank: severityRank(row.severity), lastSeenAt: t });
      this.news.push({ row: opened, change: 'opened' });
      return;
    }
    this.fold(key, open, t, row);
    if (detectionEffect(open.rank, row.severity) === 'escalate') {
      open.rank = severityRank(row.severity);
      this.news.push({ row: { ...row, alertId: open.alertId }, change: 'escalated' });
    }
  }

  /**
   * A repeat of the open incident of `key` at event time `t` at no higher severity, with nothing
   * new to say (the stock-out screen while it is open): last seen and occurrences only.
   */
  repeat(pair: IncidentHolder, key: string, t: number): void {
    const open = pair.incidents.get(key);
    if (open) this.fold(key, open, t, undefined);
  }

  /** Resolves the open incident of `key` (if any) at event time `at`. */
  resolve(pair: IncidentHolder, key: string, at: number, resolution: Resolution): void {
    const open = pair.incidents.get(key);
    if (!open) return;
    pair.incidents.delete(key);
    const cur = this.current.get(key);
    if (cur) {
      cur.resolvedAt = new Date(at);
      cur.resolution = resolution;
      this.current.delete(key);
      return;
    }
    const u = this.updateOf(key, open);
    u.resolvedAt = new Date(at);
    u.resolution = resolution;
  }

  /**
   * Resolves the pair's anomaly incidents that stayed quiet for `ANOMALY_QUIET_MS` before event
   * time `now`, at their last detection plus that period.
   */
  resolveQuiet(pair: IncidentHolder, now: number): void {
    if (pair.incidents.size === 0) return;
    for (const [key, open] of pair.incidents) {
      if (key.startsWith(STOCKOUT_PREFIX)) continue;
      if (now >= open.lastSeenAt + ANOMALY_QUIET_MS)
        this.resolve(pair, key, open.lastSeenAt + ANOMALY_QUIET_MS, RESOLUTIONS.quiet);
    }
  }

  private fold(key: string, open: OpenIncident, t: number, row: NewAlert | undefined): void {
    if (t > open.lastSeenAt) open.lastSeenAt = t;
    const target = this.current.get(key) ?? this.updateOf(key, open);
    target.occurrences = (target.occurrences ?? 1) + 1;
    target.lastSeenAt = new Date(Math.max(target.lastSeenAt?.getTime() ?? t, t));
    if (!row) return;
    // The message and details follow the worst detection (the latest among equals).
    const had = target.message === null ? -1 : severityRank(target.severity);
    const rank = severityRank(row.severity);
    if (rank < had) return;
    target.details = rank > had || !target.details ? row.details : { ...target.details, ...row.details };
    target.message = row.message;
    target.severity = row.severity;
  }

  /** The update of an incident open before the chunk, created empty (it adds nothing yet). */
  private updateOf(key: string, open: OpenIncident): OpenAlertUpdate {
    let u = this.updates.get(key);
    if (!u) {
      u = {
        dedupKey: key,
        severity: SEVERITIES[open.rank] ?? 'low',
        message: null,
        details: null,
        lastSeenAt: new Date(open.lastSeenAt),
        occurrences: 0,
        resolvedAt: null,
        resolution: null,
      };
      this.updates.set(key, u);
    }
    return u;
  }
}

const STOCKOUT_PREFIX = `${STOCKOUT_ALERT}:`;
