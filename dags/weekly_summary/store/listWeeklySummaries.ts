import type { Knex } from 'knex';
import { fetchPage, type Page, type PageRequest } from '../../../db/index.js';

/**
 * A stored week without its report: the figures the list of weeks compares. `M` is the shape of
 * `metrics` (WeeklyMetrics of ../metrics.ts, which imports this folder: the type is applied in
 * ../index.ts, keeping the store free of a cycle).
 */
export interface WeeklySummaryRow<M = unknown> {
  /** Monday, YYYY-MM-DD. */
  week_start: string;
  /** Sunday, YYYY-MM-DD. */
  week_end: string;
  metrics: M;
  computed_at: Date;
}

/** The stored weeks, newest first. */
export function listWeeklySummaries<M = unknown>(
  knex: Knex,
  page: PageRequest,
): Promise<Page<WeeklySummaryRow<M>>> {
  const q = knex('analytics.weekly_summaries')
    .select(
      knex.raw(`to_char(week_start, 'YYYY-MM-DD') AS week_start`),
      knex.raw(`to_char(week_end, 'YYYY-MM-DD') AS week_end`),
      'metrics',
      'computed_at',
    )
    .orderBy('analytics.weekly_summaries.week_start', 'desc');
  return fetchPage<WeeklySummaryRow<M>>(q, page);
}
