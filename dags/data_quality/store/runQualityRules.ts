import type { Knex } from '../../../platform/index.js';
import { ruleInstants, type QualityRule, type RuleParams } from './rule.js';

export interface RuleResult {
  rule_id: string;
  rule_group: string;
  passed: boolean;
  failing_count: number;
  checked_count: number;
  sample: unknown[];
}

/** How many failing rows a result keeps as its sample. */
const SAMPLE_SIZE = 10;

/**
 * Runs each rule as one statement that also stores its result in
 * `analytics.data_quality_results` under `checkRunKey` (one row per rule, replaced on a rerun;
 * `checked_at` only moves when the outcome changed).
 */
export async function runQualityRules(
  knex: Knex,
  rules: readonly QualityRule[],
  scope: { checkRunKey: string; start: Date; end: Date; params: RuleParams },
): Promise<RuleResult[]> {
  const results: RuleResult[] = [];
  // Where the ledger totals stand, as a value the rules bind (`:ledgerTotalsUntil`).
  const { rows: totals } = await knex.raw<{ rows: Array<{ until: string }> }>(
    'SELECT until::text AS until FROM inventory.ledger_totals_until',
  );
  const instants = ruleInstants(scope);
  for (const rule of rules) {
    await knex.raw(
      `
      WITH failing AS (${rule.failing}),
      outcome AS (
        SELECT (SELECT count(*) FROM failing) AS failing_count,
               (SELECT n FROM (${rule.checked}) c) AS checked_count,
               (SELECT coalesce(jsonb_agg(to_jsonb(f)), '[]'::jsonb) FROM (SELECT * FROM failing LIMIT ${SAMPLE_SIZE}) f) AS sample
      )
      INSERT INTO analytics.data_quality_results AS r
        (check_run_key, rule_id, rule_group, passed, failing_count, checked_count, sample)
      SELECT :checkRunKey, :ruleId, :ruleGroup, failing_count = 0, failing_count, checked_count, sample FROM outcome
      ON CONFLICT (check_run_key, rule_id) DO UPDATE SET
        passed = EXCLUDED.passed, failing_count = EXCLUDED.failing_count, checked_count = EXCLUDED.checked_count,
        sample = EXCLUDED.sample, checked_at = now()
      WHERE (r.passed, r.failing_count, r.checked_count, r.sample)
        IS DISTINCT FROM (EXCLUDED.passed, EXCLUDED.failing_count, EXCLUDED.checked_count, EXCLUDED.sample)
      RETURNING rule_id
      `,
      {
        ...scope.params,
        ...instants,
        start: scope.start,
        end: scope.end,
        checkRunKey: scope.checkRunKey,
        ruleId: rule.id,
        ruleGroup: rule.group,
        ledgerTotalsUntil: totals[0]?.until ?? '-infinity',
      },
    );
    const stored = await knex('analytics.data_quality_results')
      .where({ check_run_key: scope.checkRunKey, rule_id: rule.id })
      .first('rule_id', 'rule_group', 'passed', 'failing_count', 'checked_count', 'sample');
    results.push(stored as RuleResult);
  }
  return results;
}
