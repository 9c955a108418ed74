import type { Knex } from 'knex';
import { monthOfPartition } from '../months.js';
import { qualified, type PartitionedTable } from '../tables.js';

/** A monthly partition of a partitioned table, attached or left detached by an interrupted drop. */
export interface MonthPartition {
  name: string;
  month: string;
  attached: boolean;
  /** Rows as the planner last counted them (exact figures come from `partitionFigures`). */
  estimatedRows: number;
  /** Heap, indexes and TOAST, in bytes. */
  bytes: number;
}

export interface TablePartitions {
  months: MonthPartition[];
  /** Rows in the DEFAULT partition, by month (none in the normal case); null without one. */
  defaultRows: Array<{ month: string; rows: number }> | null;
}

/**
 * The monthly partitions of `table` (named `<table>_pYYYYMM` in its schema), oldest first, with
 * those an interrupted retention drop left detached, and what the DEFAULT partition holds.
 */
export async function listPartitions(knex: Knex, table: PartitionedTable): Promise<TablePartitions> {
  const { rows } = await knex.raw<{
    rows: Array<{ name: string; attached: boolean; estimated: string; bytes: string }>;
  }>(
    `SELECT c.relname AS name, i.inhrelid IS NOT NULL AS attached,
            greatest(c.reltuples, 0)::bigint AS estimated, pg_total_relation_size(c.oid) AS bytes
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND i.inhparent = ?::regclass
      WHERE n.nspname = ? AND c.relkind = 'r' AND (c.relname ~ ? OR c.relname = ?)
      ORDER BY c.relname`,
    [qualified(table), table.schema, `^${table.name}_p[0-9]{6}$`, `${table.name}_default`],
  );
  const months: MonthPartition[] = [];
  let hasDefault = false;
  for (const r of rows) {
    const month = monthOfPartition(table.name, r.name);
    if (!month) {
      hasDefault = r.attached;
      continue;
    }
    months.push({
      name: r.name,
      month,
      attached: r.attached,
      estimatedRows: Number(r.estimated),
      bytes: Number(r.bytes),
    });
  }
  if (!hasDefault) return { months, defaultRows: null };
  const { rows: stray } = await knex.raw<{ rows: Array<{ month: string; rows: string }> }>(
    `SELECT to_char(date_trunc('month', ${table.column}, 'UTC') AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS month,
            count(*) AS rows
       FROM ONLY ${qualified(table)}_default GROUP BY 1 ORDER BY 1`,
  );
  return { months, defaultRows: stray.map((r) => ({ month: r.month, rows: Number(r.rows) })) };
}
