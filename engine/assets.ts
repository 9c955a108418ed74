import { InvalidInputError } from '../platform/index.js';

/**
 * Assets (Airflow's Datasets, Dagster's assets): named data a task writes (`outlets`) or reads
 * (`inlets`), optionally partitioned by the day or ISO week of the writing run's data interval.
 * A task that succeeds records one event per outlet, with the partition and the run that wrote
 * it. A DAG can run on assets: `onAssets` (a run once every listed asset has new events) and
 * `waitForAssets` (a cron run is created only once the partitions its interval covers exist).
 */

/** How an asset is partitioned: by the UTC day or ISO week its writer's data interval starts in. */
export const PARTITIONINGS = ['daily', 'weekly'] as const;
export type Partitioning = (typeof PARTITIONINGS)[number];

export interface Asset {
  readonly kind: 'wareflow.asset';
  /** URI-like name: letters, digits, `_`, `-`, `.`, `/` and `:` (e.g. `warehouse.processed_metrics`). */
  readonly key: string;
  /** Null for an asset written whole (its partition key is then ''). */
  readonly partition: Partitioning | null;
  readonly description?: string;
}

/** An outlet: the asset, and the numeric output field that counts the rows the task wrote to it. */
export interface Outlet {
  readonly asset: Asset;
  readonly rowsFrom?: string;
}

export type OutletSpec = Asset | Outlet;

const KEY = /^[A-Za-z0-9_.:/-]+$/;

/**
 * Declares an asset. Share one declaration between the DAG that writes it and those that read it:
 * ```ts
 * export const processedMetrics = asset('warehouse.processed_metrics', { partition: 'daily' });
 * ```
 */
export function asset(key: string, options: { partition?: Partitioning; description?: string } = {}): Asset {
  if (typeof key !== 'string' || !KEY.test(key))
    throw new InvalidInputError(
      `asset key ${JSON.stringify(key)} must be letters, digits, '_', '-', '.', '/' or ':'`,
    );
  if (options.partition !== undefined && !PARTITIONINGS.includes(options.partition))
    throw new InvalidInputError(`asset '${key}': partition must be one of ${PARTITIONINGS.join(', ')}`);
  return Object.freeze({
    kind: 'wareflow.asset',
    key,
    partition: options.partition ?? null,
    ...(options.description ? { description: options.description } : {}),
  });
}

export function toOutlet(spec: OutletSpec): Outlet {
  return 'kind' in spec ? { asset: spec } : spec;
}

/** The UTC day of an instant, 'YYYY-MM-DD'. */
export function utcDayKey(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** The ISO week of an instant (UTC), 'YYYY-Www': the week belongs to the year of its Thursday. */
export function isoWeekKey(instant: Date): string {
  const day = Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate());
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = new Date(day + (3 - weekday) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The partition a run whose data interval starts at `intervalStart` writes. */
export function partitionKey(partition: Partitioning | null, intervalStart: Date): string {
  if (partition === 'daily') return utcDayKey(intervalStart);
  if (partition === 'weekly') return isoWeekKey(intervalStart);
  return '';
}

/**
 * The partitions of a `partition`-ed asset a run over [start, end) reads: one per UTC day (or ISO
 * week) from the one `start` falls in up to, not including, the one `end` falls in — at least one.
 * A weekly run [Mon 01:00, next Mon 01:00) thus reads the seven days Monday … Sunday, and a daily
 * run [D 02:00, D+1 02:00) reads day D.
 */
export function partitionsCovering(
  partition: Partitioning | null,
  interval: { start: Date; end: Date },
): string[] {
  if (partition === null) return [''];
  const stepMs = partition === 'daily' ? 86_400_000 : 7 * 86_400_000;
  const key = (d: Date) => partitionKey(partition, d);
  const last = key(interval.end);
  const out: string[] = [];
  for (let at = interval.start.getTime(); out.length < 400; at += stepMs) {
    const k = key(new Date(at));
    if (out.length > 0 && k >= last) break;
    if (!out.includes(k)) out.push(k);
  }
  return out;
}

/** The asset event a succeeded task records for one outlet (its partition is computed in SQL). */
export interface OutletEvent {
  assetKey: string;
  partition: Partitioning | null;
  rows: number | null;
}

/** The events a task that returned `output` records for its outlets. */
export function outletEvents(outlets: readonly Outlet[], output: unknown): OutletEvent[] {
  return outlets.map((o) => {
    const value =
      o.rowsFrom !== undefined && output !== null && typeof output === 'object'
        ? (output as Record<string, unknown>)[o.rowsFrom]
        : undefined;
    return {
      assetKey: o.asset.key,
      partition: o.asset.partition,
      rows: typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : null,
    };
  });
}

/**
 * Checks a DAG's asset declarations; returns the message of the first problem. One key may not be
 * declared with two partitionings, and `waitForAssets` needs a cron schedule.
 */
export function assetProblem(
  schedule: string | null,
  onAssets: readonly Asset[],
  waitForAssets: readonly Asset[],
  taskAssets: ReadonlyArray<{ taskId: string; assets: readonly Asset[] }>,
): string | undefined {
  const seen = new Map<string, Asset>();
  const all = [...onAssets, ...waitForAssets, ...taskAssets.flatMap((t) => t.assets)];
  for (const a of all) {
    if (a?.kind !== 'wareflow.asset') return 'lists an asset that is not an asset(...) declaration';
    const before = seen.get(a.key);
    if (before && before.partition !== a.partition)
      return `asset '${a.key}' is declared both ${before.partition ?? 'unpartitioned'} and ${a.partition ?? 'unpartitioned'}`;
    seen.set(a.key, a);
  }
  if (new Set(onAssets.map((a) => a.key)).size !== onAssets.length) return 'onAssets lists an asset twice';
  if (waitForAssets.length > 0 && schedule === null)
    return 'waitForAssets gates cron runs: it needs a schedule (use onAssets for a DAG run by assets alone)';
  return undefined;
}
