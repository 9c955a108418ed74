/** The five rule groups of the data_quality DAG (SPEC §6), one task each. */
export const RULE_GROUPS = [
  'integrity',
  'business_rules',
  'completeness',
  'freshness',
  'consistency',
] as const;
export type RuleGroup = (typeof RULE_GROUPS)[number];

/**
 * One data-quality rule as SQL. Both queries may use the named bindings `:start` and `:end` (the
 * run's data interval, timestamptz) and every member of `RuleParams`.
 */
export interface QualityRule {
  id: string;
  group: RuleGroup;
  description: string;
  /** Rows that break the rule, in a stable order (the first ten are stored as the sample). */
  failing: string;
  /** SQL returning one row with column `n`: how many rows or items the rule looked at. */
  checked: string;
}

/** Thresholds of the freshness rules. */
export interface RuleParams {
  /** Minutes of opening time (any warehouse open) with no transaction at all: stale. @defaultValue 180 */
  staleAfterMinutes: number;
  /** Least opening time (hours) a warehouse must be silent for a gap. @defaultValue 2 */
  gapOpenHours: number;
  /** Least events its own rate of the week before would have brought in that silence. @defaultValue 20 */
  gapExpectedEvents: number;
}

export const DEFAULT_RULE_PARAMS: RuleParams = {
  staleAfterMinutes: 180,
  gapOpenHours: 2,
  gapExpectedEvents: 20,
};

/**
 * Transactions a row-level rule looks at: those that occurred in the interval (a backfilled run
 * checks its own period) or were ingested in it (late rows for older periods are checked when
 * they arrive).
 */
export const IN_SCOPE = `((t.occurred_at >= :start AND t.occurred_at < :end) OR (t.ingested_at >= :start AND t.ingested_at < :end))`;
