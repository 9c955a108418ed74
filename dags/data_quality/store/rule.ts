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
  /** The newest transaction may be at most this old at the interval end. @defaultValue 180 */
  staleAfterMinutes: number;
  /** A warehouse active in the week before is silent for this long: a gap. @defaultValue 24 */
  gapHours: number;
}

export const DEFAULT_RULE_PARAMS: RuleParams = { staleAfterMinutes: 180, gapHours: 24 };

/**
 * Transactions a row-level rule looks at: those that occurred in the interval (a backfilled run
 * checks its own period) or were ingested in it (late rows for older periods are checked when
 * they arrive).
 */
export const IN_SCOPE = `((t.occurred_at >= :start AND t.occurred_at < :end) OR (t.ingested_at >= :start AND t.ingested_at < :end))`;
