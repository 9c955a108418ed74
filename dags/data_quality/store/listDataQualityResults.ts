import type { Knex } from 'knex';
import { fetchPage, type Page, type PageRequest } from '../../../db/index.js';

export interface DataQualityResultRow {
  id: number;
  check_run_key: string;
  rule_id: string;
  rule_group: string;
  passed: boolean;
  failing_count: number;
  checked_count: number;
  sample: unknown;
  checked_at: Date;
}

export interface DataQualityRunRow {
  check_run_key: string;
  dag_id: string;
  interval_start: Date;
  interval_end: Date;
  score: number;
  rules_checked: number;
  rules_failed: number;
  failed_rules: string[];
  computed_at: Date;
}

export interface DataQualityFilter {
  passed?: boolean;
  ruleGroup?: string;
  ruleId?: string;
  checkRunKey?: string;
  since?: Date;
}

/** Rule results, newest check first, failures before passes within a check. */
export function listDataQualityResults(
  knex: Knex,
  filter: DataQualityFilter,
  page: PageRequest,
): Promise<Page<DataQualityResultRow>> {
  const q = knex('analytics.data_quality_results').select('*');
  if (filter.passed !== undefined) q.where('passed', filter.passed);
  if (filter.ruleGroup) q.where('rule_group', filter.ruleGroup);
  if (filter.ruleId) q.where('rule_id', filter.ruleId);
  if (filter.checkRunKey) q.where('check_run_key', filter.checkRunKey);
  if (filter.since) q.where('checked_at', '>=', filter.since);
  q.orderBy([
    { column: 'checked_at', order: 'desc' },
    { column: 'passed', order: 'asc' },
    { column: 'rule_id', order: 'asc' },
  ]);
  return fetchPage<DataQualityResultRow>(q, page);
}

/** Check runs with their 0–100 score, newest interval first. */
export function listDataQualityRuns(
  knex: Knex,
  filter: { since?: Date },
  page: PageRequest,
): Promise<Page<DataQualityRunRow>> {
  const q = knex('analytics.data_quality_runs').select('*');
  if (filter.since) q.where('interval_end', '>=', filter.since);
  q.orderBy([
    { column: 'interval_end', order: 'desc' },
    { column: 'check_run_key', order: 'asc' },
  ]);
  return fetchPage<DataQualityRunRow>(q, page);
}
