/**
 * The assets the inventory DAGs write and read (README "Assets and asset-triggered DAGs"). One
 * declaration per asset, shared by the DAG that writes it and those that read it; the partition
 * of a write is the UTC day (or ISO week) its run's data interval starts in.
 */
import { asset } from '../engine/index.js';

/** analytics.daily_inventory_snapshots for day D, written by daily_inventory_etl. */
export const dailySnapshots = asset('warehouse.daily_inventory_snapshots', {
  partition: 'daily',
  description: 'End-of-day stock of every pair (analytics.daily_inventory_snapshots)',
});

/** analytics.processed_metrics for as_of_date = D (SPEC §5). */
export const processedMetrics = asset('warehouse.processed_metrics', {
  partition: 'daily',
  description: 'SPEC §5 metrics per pair and day (analytics.processed_metrics)',
});

/** The day's roll-up per warehouse, category and total. */
export const aggregatedMetrics = asset('warehouse.aggregated_metrics', {
  partition: 'daily',
  description: 'Roll-up of the processed metrics per warehouse, category and total',
});

/** analytics.weekly_summaries for one ISO week. */
export const weeklySummaries = asset('warehouse.weekly_summary', {
  partition: 'weekly',
  description: 'The weekly summary and its report (analytics.weekly_summaries)',
});
