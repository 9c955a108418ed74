/**
 * The tables that are range-partitioned by UTC month (migration inventory/0011), with what the
 * maintenance DAG needs to know of each: the partition key, and the columns of its Parquet
 * archive. The ledger's event-id registry (`inventory.ledger_event_ids`) loses a month's ids when
 * that month's partition is dropped.
 */

/** How a column is stored in the archive. TIMESTAMP columns are exact to the microsecond. */
export type ArchiveType = 'UTF8' | 'INT32' | 'INT64' | 'DOUBLE' | 'TIMESTAMP_MICROS';

export interface ArchiveColumn {
  name: string;
  type: ArchiveType;
  optional?: boolean;
}

export interface PartitionedTable {
  /** The archive folder and the partitions' name prefix: 'inventory_transactions'. */
  name: string;
  schema: 'inventory' | 'analytics';
  /** The partition key, a timestamptz column. */
  column: string;
  /** Every column, in table order, as the archive stores it. */
  archive: readonly ArchiveColumn[];
  /** True for the ledger: its ids are registered in inventory.ledger_event_ids. */
  eventIds?: boolean;
}

const text = (name: string, optional = false): ArchiveColumn => ({ name, type: 'UTF8', optional });
const time = (name: string): ArchiveColumn => ({ name, type: 'TIMESTAMP_MICROS' });
const int = (name: string, optional = false): ArchiveColumn => ({ name, type: 'INT32', optional });
const double = (name: string, optional = false): ArchiveColumn => ({ name, type: 'DOUBLE', optional });

export const LEDGER: PartitionedTable = {
  name: 'inventory_transactions',
  schema: 'inventory',
  column: 'occurred_at',
  eventIds: true,
  archive: [
    text('event_id'),
    text('sku'),
    text('warehouse_id'),
    text('event_type'),
    int('quantity_change'),
    time('occurred_at'),
    text('reference_id', true),
    text('notes', true),
    time('ingested_at'),
    int('source_partition', true),
  ],
};

export const ANOMALIES: PartitionedTable = {
  name: 'anomalies',
  schema: 'analytics',
  column: 'occurred_at',
  archive: [
    { name: 'id', type: 'INT64' },
    text('event_id'),
    text('sku'),
    text('warehouse_id'),
    text('anomaly_type'),
    text('severity'),
    double('risk_score'),
    text('details'),
    time('occurred_at'),
    time('detected_at'),
    text('anomaly_id'),
  ],
};

export const STREAM_WINDOWS: PartitionedTable = {
  name: 'stream_windows',
  schema: 'analytics',
  column: 'window_start',
  archive: [
    text('window_kind'),
    time('window_start'),
    time('window_end'),
    text('sku'),
    text('warehouse_id'),
    int('event_count'),
    int('units_in'),
    int('units_out'),
    double('mean_change', true),
    int('min_change', true),
    int('max_change', true),
    double('p50_change', true),
    double('p95_change', true),
    int('late_events'),
    time('closed_at'),
  ],
};

/** Every partitioned table, the ledger first. */
export const PARTITIONED_TABLES: readonly PartitionedTable[] = [LEDGER, ANOMALIES, STREAM_WINDOWS];

export const qualified = (t: PartitionedTable) => `${t.schema}.${t.name}`;
