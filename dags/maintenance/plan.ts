import {
  PARTITIONED_TABLES,
  addMonths,
  listArchives,
  listPartitions,
  monthOf,
  monthsBetween,
  type ArchiveRecord,
  type MonthPartition,
  type PartitionedTable,
} from '../../inventory/partitions/index.js';
import type { Knex } from '../../platform/index.js';

/** Months created ahead of the current one, so an event of the next months always has its partition. */
export const MONTHS_AHEAD = 3;
const DAY_MS = 86_400_000;

export interface RetentionSettings {
  /** The maintenance run's instant (its data interval's end); "now" for the CLI. */
  now: Date;
  /** RETENTION_MONTHS. */
  retentionMonths: number;
  /** MAX_EVENT_AGE_DAYS: the stream accepts events this old, so their months must stay. */
  maxEventAgeDays: number;
}

/**
 * The first month kept: RETENTION_MONTHS before the current month, or the month of the oldest
 * event the stream still accepts if that is earlier (dropping it would send a late event to the
 * DEFAULT partition of a month that is gone). Months before it are expired.
 */
export function retentionCutoff(s: RetentionSettings): {
  month: string;
  heldBy: 'RETENTION_MONTHS' | 'MAX_EVENT_AGE_DAYS';
} {
  const byRetention = addMonths(monthOf(s.now), -s.retentionMonths);
  const byAge = monthOf(new Date(s.now.getTime() - s.maxEventAgeDays * DAY_MS));
  return byAge < byRetention
    ? { month: byAge, heldBy: 'MAX_EVENT_AGE_DAYS' }
    : { month: byRetention, heldBy: 'RETENTION_MONTHS' };
}

/** The months that must have a partition: from the oldest admissible event's to MONTHS_AHEAD ahead. */
export function monthsToKeepReady(s: RetentionSettings): string[] {
  return monthsBetween(
    monthOf(new Date(s.now.getTime() - s.maxEventAgeDays * DAY_MS)),
    addMonths(monthOf(s.now), MONTHS_AHEAD),
  );
}

/**
 * Where the ledger totals are kept summed up to: the start of the previous month. Older rows are
 * read from the totals (a late event older than this adds itself to them through the ledger's
 * trigger), so reconciling on-hand reads one to two months of rows, however long the history.
 */
export function ledgerTotalsMonth(s: Pick<RetentionSettings, 'now'>): string {
  return addMonths(monthOf(s.now), -1);
}

export interface ExpiredMonth extends MonthPartition {
  /** The month's archive record, if one was written. */
  archive: ArchiveRecord | undefined;
}

export interface TablePlan {
  table: PartitionedTable;
  /** Months of the ready window without a partition yet. */
  create: string[];
  /** Rows in the DEFAULT partition by month: each month gets its partition and its rows. */
  fromDefault: Array<{ month: string; rows: number }>;
  /** Partitions (attached, or left detached by an interrupted drop) of months before the cutoff. */
  expired: ExpiredMonth[];
  /** Months kept in PostgreSQL. */
  kept: number;
}

export interface RetentionPlan {
  cutoff: ReturnType<typeof retentionCutoff>;
  tables: TablePlan[];
}

/** What the maintenance DAG would do now, table by table; reads only catalog and archive records. */
export async function planRetention(knex: Knex, s: RetentionSettings): Promise<RetentionPlan> {
  const cutoff = retentionCutoff(s);
  const ready = monthsToKeepReady(s);
  const archives = await listArchives(knex);
  const tables: TablePlan[] = [];
  for (const table of PARTITIONED_TABLES) {
    const { months, defaultRows } = await listPartitions(knex, table);
    const present = new Set(months.map((p) => p.month));
    tables.push({
      table,
      create: ready.filter((m) => !present.has(m)),
      fromDefault: defaultRows ?? [],
      expired: months
        .filter((p) => p.month < cutoff.month)
        .map((p) => ({
          ...p,
          archive: archives.find((a) => a.table_name === table.name && a.month === p.month),
        })),
      kept: months.filter((p) => p.month >= cutoff.month).length,
    });
  }
  return { cutoff, tables };
}
