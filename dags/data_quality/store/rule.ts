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
 * run's data interval, timestamptz), every member of `RuleParams`, and instants derived from them
 * (`RuleInstants`). The instants come as values rather than as `:end - interval …`: an expression
 * over a timestamptz is only stable, so PostgreSQL would plan the statement over every monthly
 * partition of the ledger and prune them only when it starts; against a value it plans only the
 * partitions the statement can touch.
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
  /**
   * How long before the interval a row ingested in it may have occurred and still be checked by
   * it: the stream admits events up to MAX_EVENT_AGE_DAYS old (default 400), and the bound keeps
   * a check to the ledger's partitions of that span, however long the history. @defaultValue 400
   */
  lateRowDays: number;
}

export const DEFAULT_RULE_PARAMS: RuleParams = {
  staleAfterMinutes: 180,
  gapOpenHours: 2,
  gapExpectedEvents: 20,
  lateRowDays: 400,
};

/**
 * Transactions a row-level rule looks at: those that occurred in the interval (a backfilled run
 * checks its own period) or were ingested in it (late rows for older periods are checked when
 * they arrive), back to `lateRowDays` before it. The ingestion time says nothing of a row's
 * monthly partition; the bound on its occurrence keeps the statement to the partitions of that
 * span (pruned when it starts) instead of every month of the history.
 */
export const IN_SCOPE = `((t.occurred_at >= :start AND t.occurred_at < :end) OR (t.ingested_at >= :start AND t.ingested_at < :end
  AND t.occurred_at >= :scopeFrom))`;

/** What every row in IN_SCOPE satisfies: lets a join on its occurrence time prune as well. */
export const SCOPE_OCCURRED_FROM = ':scopeFrom::timestamptz';

const DAY_MS = 86_400_000;

/** Instants the rules bind besides `:start` and `:end`. */
export interface RuleInstants {
  /** `lateRowDays` before start: the earliest occurrence of a row IN_SCOPE. */
  scopeFrom: Date;
  /** 7, 30 and 37 days before end. */
  end7d: Date;
  end30d: Date;
  end37d: Date;
}

export function ruleInstants(scope: { start: Date; end: Date; params: RuleParams }): RuleInstants {
  const before = (at: Date, days: number) => new Date(at.getTime() - days * DAY_MS);
  return {
    scopeFrom: before(scope.start, scope.params.lateRowDays),
    end7d: before(scope.end, 7),
    end30d: before(scope.end, 30),
    end37d: before(scope.end, 37),
  };
}
