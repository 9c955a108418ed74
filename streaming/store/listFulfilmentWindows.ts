import type { Knex } from 'knex';
import { FULFILMENT_METRIC_COLUMNS, type FulfilmentMetrics } from '../../inventory/fulfilment/index.js';

/** One stored fulfilment window of one warehouse. */
export interface FulfilmentWindowRow extends FulfilmentMetrics {
  window_kind: string;
  window_start: Date;
  window_end: Date;
  /** When the stream last changed the row. */
  computed_at: Date;
}

/**
 * The fulfilment windows of one kind that start in [from, to), optionally of one warehouse; newest
 * first, then by warehouse. Reads the table's key (kind, start).
 */
export async function listFulfilmentWindows(
  knex: Knex,
  filter: { windowKind: string; from: Date; to: Date; warehouseId?: string | undefined },
): Promise<FulfilmentWindowRow[]> {
  const q = knex('streaming.fulfilment_windows')
    .select(
      'window_kind',
      'window_start',
      'window_end',
      'warehouse_id',
      ...FULFILMENT_METRIC_COLUMNS,
      'computed_at',
    )
    .where('window_kind', filter.windowKind)
    .andWhere('window_start', '>=', filter.from)
    .andWhere('window_start', '<', filter.to)
    .orderBy([
      { column: 'window_start', order: 'desc' },
      { column: 'warehouse_id', order: 'asc' },
    ]);
  if (filter.warehouseId) q.andWhere('warehouse_id', filter.warehouseId);
  return (await q) as FulfilmentWindowRow[];
}
