import type { Knex } from 'knex';

/** One archived month of a partitioned table (`inventory.partition_archives`). */
export interface ArchiveRecord {
  table_name: string;
  month: string;
  path: string;
  files: number;
  row_count: number;
  checksum: bigint;
  archived_at: Date;
  verified_at: Date | null;
  dropped_at: Date | null;
}

const COLUMNS = `table_name, to_char(month, 'YYYY-MM-DD') AS month, path, files, row_count, checksum::text AS checksum,
  archived_at, verified_at, dropped_at`;

function record(r: Record<string, unknown>): ArchiveRecord {
  return {
    ...(r as unknown as ArchiveRecord),
    row_count: Number(r.row_count),
    checksum: BigInt(r.checksum as string),
  };
}

/** The archive records of a table, oldest month first. */
export async function listArchives(knex: Knex, tableName?: string): Promise<ArchiveRecord[]> {
  const { rows } = await knex.raw<{ rows: Array<Record<string, unknown>> }>(
    `SELECT ${COLUMNS} FROM inventory.partition_archives
      WHERE ?::text IS NULL OR table_name = ? ORDER BY table_name, month`,
    [tableName ?? null, tableName ?? null],
  );
  return rows.map(record);
}

/** Records a month's archive as written (not yet verified), replacing an earlier record. */
export async function recordArchive(
  knex: Knex,
  a: Pick<ArchiveRecord, 'table_name' | 'month' | 'path' | 'files' | 'row_count' | 'checksum'>,
): Promise<void> {
  await knex.raw(
    `INSERT INTO inventory.partition_archives (table_name, month, path, files, row_count, checksum)
     VALUES (?, ?::date, ?, ?, ?, ?::bigint)
     ON CONFLICT (table_name, month) DO UPDATE SET path = excluded.path, files = excluded.files,
       row_count = excluded.row_count, checksum = excluded.checksum, archived_at = now(),
       verified_at = NULL, dropped_at = NULL`,
    [a.table_name, a.month, a.path, a.files, a.row_count, a.checksum.toString()],
  );
}

/** Marks a month's archive verified against its partition, or its partition dropped. */
export async function markArchive(
  knex: Knex,
  tableName: string,
  month: string,
  what: 'verified' | 'dropped',
): Promise<void> {
  await knex.raw(
    `UPDATE inventory.partition_archives SET ${what}_at = now() WHERE table_name = ? AND month = ?::date`,
    [tableName, month],
  );
}

/** Deletes a month's archive record (its files did not verify): the next run writes it again. */
export async function forgetArchive(knex: Knex, tableName: string, month: string): Promise<void> {
  await knex.raw('DELETE FROM inventory.partition_archives WHERE table_name = ? AND month = ?::date', [
    tableName,
    month,
  ]);
}
