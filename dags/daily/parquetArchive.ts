import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import parquet from 'parquetjs-lite';

/** One row of `analytics.processed_metrics` as the archive stores it. */
export interface ArchivedMetricsRow {
  sku: string;
  warehouse_id: string;
  as_of_date: string;
  quantity_on_hand: number;
  quantity_reserved: number;
  velocity_7d: number;
  velocity_30d: number;
  volatility: number;
  trend: number;
  seasonality_index: number;
  expected_daily_demand: number;
  stockout_risk: number;
  days_of_cover: number | null;
  safety_stock: number;
  reorder_point: number;
  reorder_quantity: number;
}

/**
 * Column types of the archive. SNAPPY pages are what readers expect; every page is a V1 data page
 * (`useDataPageV2: false`), because parquetjs writes V2 pages by default and pyarrow and DuckDB
 * do not read those reliably. test/dags/parquetArchive.test.ts reads the file back with DuckDB.
 */
const SCHEMA = new parquet.ParquetSchema({
  sku: { type: 'UTF8', compression: 'SNAPPY' },
  warehouse_id: { type: 'UTF8', compression: 'SNAPPY' },
  as_of_date: { type: 'DATE', compression: 'SNAPPY' },
  quantity_on_hand: { type: 'INT32', compression: 'SNAPPY' },
  quantity_reserved: { type: 'INT32', compression: 'SNAPPY' },
  velocity_7d: { type: 'DOUBLE', compression: 'SNAPPY' },
  velocity_30d: { type: 'DOUBLE', compression: 'SNAPPY' },
  volatility: { type: 'DOUBLE', compression: 'SNAPPY' },
  trend: { type: 'DOUBLE', compression: 'SNAPPY' },
  seasonality_index: { type: 'DOUBLE', compression: 'SNAPPY' },
  expected_daily_demand: { type: 'DOUBLE', compression: 'SNAPPY' },
  stockout_risk: { type: 'DOUBLE', compression: 'SNAPPY' },
  days_of_cover: { type: 'DOUBLE', optional: true, compression: 'SNAPPY' },
  safety_stock: { type: 'DOUBLE', compression: 'SNAPPY' },
  reorder_point: { type: 'DOUBLE', compression: 'SNAPPY' },
  reorder_quantity: { type: 'INT32', compression: 'SNAPPY' },
});

/** `DATA_DIR/archive/processed_metrics/date=YYYY-MM-DD/part-0.parquet` (SPEC §6). */
export function archivePath(dataDir: string, day: string): string {
  return path.join(dataDir, 'archive', 'processed_metrics', `date=${day}`, 'part-0.parquet');
}

/**
 * Writes one day's metrics to its Parquet partition. The file is written next to its final name
 * and renamed into place, so a reader never sees half a file and a rerun replaces the partition
 * whole. Returns the path.
 */
export async function writeMetricsArchive(
  dataDir: string,
  day: string,
  rows: AsyncIterable<ArchivedMetricsRow> | Iterable<ArchivedMetricsRow>,
): Promise<{ path: string; rows: number }> {
  const file = archivePath(dataDir, day);
  await mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  let count = 0;
  const writer = await parquet.ParquetWriter.openFile(SCHEMA, partial, {
    useDataPageV2: false,
    rowGroupSize: 65_536,
    pageSize: 16_384,
  });
  try {
    for await (const row of rows) {
      const { days_of_cover, as_of_date, ...rest } = row;
      await writer.appendRow({
        ...rest,
        as_of_date: new Date(`${as_of_date}T00:00:00Z`),
        ...(days_of_cover === null ? {} : { days_of_cover }),
      });
      count++;
    }
    await writer.close();
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  await rename(partial, file);
  return { path: file, rows: count };
}
