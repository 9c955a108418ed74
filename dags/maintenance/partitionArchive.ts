import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import parquet from 'parquetjs-lite';
import type { ArchiveColumn, PartitionedTable } from '../../inventory/partitions/index.js';

/** Rows per Parquet file: bounds the memory one file's columns take while it is encoded. */
export const PART_ROWS = 250_000;

/**
 * `DATA_DIR/archive/<table>/month=YYYY-MM/part-N.parquet`: the layout of the daily metrics
 * archive (`archive/processed_metrics/date=YYYY-MM-DD/part-0.parquet`), one folder per month,
 * readable by DuckDB and pyarrow as a hive-partitioned data set.
 */
export function monthArchiveDir(dataDir: string, table: string, month: string): string {
  return path.join(dataDir, 'archive', table, `month=${month.slice(0, 7)}`);
}

/** What an archive holds: rows and Σ of the partition key in whole epoch seconds (as in SQL). */
export interface ArchiveFigures {
  files: number;
  rows: number;
  checksum: bigint;
}

const MICROS = 1_000_000n;
/** floor(micros / 10⁶): whole epoch seconds, rounded down also before 1970 (as SQL's floor). */
function seconds(micros: bigint): bigint {
  const q = micros / MICROS;
  return micros < 0n && q * MICROS !== micros ? q - 1n : q;
}

function schemaOf(table: PartitionedTable) {
  return new parquet.ParquetSchema(
    Object.fromEntries(
      table.archive.map((c) => [
        c.name,
        { type: c.type, optional: c.optional ?? false, compression: 'SNAPPY' },
      ]),
    ),
  );
}

interface ColumnBuffer {
  dlevels: number[];
  rlevels: number[];
  values: unknown[];
  distinct_values: Set<unknown>;
  count: number;
}

/** A value as parquetjs stores it: UTF8 as bytes, 64-bit integers (timestamps too) as BigInt. */
function primitive(c: ArchiveColumn, value: unknown): unknown {
  if (c.type === 'UTF8') return Buffer.from(String(value), 'utf8');
  if (c.type === 'INT64' || c.type === 'TIMESTAMP_MICROS') return BigInt(value as string);
  return value;
}

/**
 * Writes one Parquet file of `rows` as a single row group, the columns assembled here and handed
 * to parquetjs-lite as its row buffer (its per-row shredding is far slower; the same technique
 * and buffer layout as the daily metrics archive, see daily_inventory_etl/parquetArchive.ts).
 * SNAPPY V1 data pages, which DuckDB and pyarrow read.
 */
async function writePart(
  table: PartitionedTable,
  file: string,
  rows: ReadonlyArray<Record<string, unknown>>,
): Promise<void> {
  const columns: Record<string, ColumnBuffer> = {};
  for (const c of table.archive) {
    const column: ColumnBuffer = {
      dlevels: [],
      rlevels: [],
      values: [],
      distinct_values: new Set(),
      count: 0,
    };
    for (const row of rows) {
      const value = row[c.name];
      column.rlevels.push(0);
      column.count++;
      if (value === null || value === undefined) {
        if (!c.optional) throw new Error(`archive of ${table.name}: ${c.name} is null`);
        column.dlevels.push(0);
        continue;
      }
      const p = primitive(c, value);
      column.dlevels.push(c.optional ? 1 : 0);
      column.values.push(p);
      column.distinct_values.add(c.type === 'UTF8' ? value : p);
    }
    columns[c.name] = column;
  }
  const writer = await parquet.ParquetWriter.openFile(schemaOf(table), file, { useDataPageV2: false });
  (writer as unknown as { rowBuffer: unknown }).rowBuffer = {
    rowCount: rows.length,
    pageRowCount: rows.length,
    columnData: columns,
    pages: Object.fromEntries(table.archive.map((c) => [c.name, []])),
  };
  await writer.close();
}

/**
 * Writes the rows of one month (batches in partition-key order) to its archive folder, files of
 * at most PART_ROWS rows. The folder is written beside its final name and renamed into place, so
 * a reader never sees half a month and a rewrite replaces the month whole. Returns the figures of
 * what was written.
 */
export async function writeMonthArchive(
  dir: string,
  table: PartitionedTable,
  batches: AsyncIterable<ReadonlyArray<Record<string, unknown>>>,
): Promise<ArchiveFigures> {
  const partial = `${dir}.${process.pid}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  const figures: ArchiveFigures = { files: 0, rows: 0, checksum: 0n };
  let pending: Array<Record<string, unknown>> = [];
  const flush = async () => {
    if (pending.length === 0) return;
    await writePart(table, path.join(partial, `part-${figures.files}.parquet`), pending);
    figures.files++;
    pending = [];
  };
  try {
    for await (const batch of batches) {
      for (const row of batch) {
        pending.push(row);
        figures.rows++;
        figures.checksum += seconds(BigInt(row[table.column] as string));
        if (pending.length >= PART_ROWS) await flush();
      }
    }
    await flush();
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir);
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw err;
  }
  return figures;
}

/**
 * Reads a month's archive back: every file, every row group, the partition key's column decoded
 * (not the footer's counts), summed as `writeMonthArchive` and the SQL figures do. A missing
 * folder reads as no files.
 */
export async function readMonthArchive(dir: string, table: PartitionedTable): Promise<ArchiveFigures> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  const figures: ArchiveFigures = { files: 0, rows: 0, checksum: 0n };
  for (const name of names.filter((n) => /^part-\d+\.parquet$/.test(n)).sort()) {
    const reader = await parquet.ParquetReader.openFile(path.join(dir, name));
    try {
      for (const group of reader.metadata.row_groups) {
        const decoded = await reader.envelopeReader.readRowGroup(reader.schema, group, [[table.column]]);
        const values = decoded.columnData[table.column]?.values ?? [];
        figures.rows += values.length;
        for (const v of values) figures.checksum += seconds(v as bigint);
      }
    } finally {
      await reader.close();
    }
    figures.files++;
  }
  return figures;
}
