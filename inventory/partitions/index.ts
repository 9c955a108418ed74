/**
 * The monthly partitions of the tables that grow with time (the ledger, anomalies, stream
 * windows; migration inventory/0011): which exist, creating a month's (moving its rows out of the
 * DEFAULT partition), the ledger totals that keep on-hand reconcilable once old months are gone,
 * the figures an archive is verified against, reading a partition for its archive, the archive
 * records, and dropping an archived month.
 */
export { addMonths, monthBounds, monthOf, monthsBetween, partitionName } from './months.js';
export {
  ANOMALIES,
  LEDGER,
  PARTITIONED_TABLES,
  STREAM_WINDOWS,
  qualified,
  type ArchiveColumn,
  type ArchiveType,
  type PartitionedTable,
} from './tables.js';
export { listPartitions, type MonthPartition, type TablePartitions } from './store/listPartitions.js';
export { createMonthPartition, DDL_LOCK_TIMEOUT } from './store/createMonthPartition.js';
export { partitionFigures, type PartitionFigures } from './store/partitionFigures.js';
export { readPartitionRows } from './store/readPartitionRows.js';
export { advanceLedgerTotals, ledgerTotalsUntil } from './store/advanceLedgerTotals.js';
export { dropMonthPartition } from './store/dropMonthPartition.js';
export {
  forgetArchive,
  listArchives,
  markArchive,
  recordArchive,
  type ArchiveRecord,
} from './store/archives.js';
