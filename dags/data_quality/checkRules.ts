import type { TaskLogger } from '../../engine/index.js';
import type { Knex } from '../../platform/index.js';
import { step } from '../steps.js';
import { runQualityRules, type QualityRule, type RuleParams, type RuleResult } from './store/index.js';

/**
 * Runs the rules one by one (as `runQualityRules` does) and logs each result as a `rule` step:
 * passed or failed, failing and checked rows, its time. A failing rule is logged as a warning.
 */
export async function checkRules(
  knex: Knex,
  log: TaskLogger,
  rules: readonly QualityRule[],
  scope: { checkRunKey: string; start: Date; end: Date; params: RuleParams },
): Promise<RuleResult[]> {
  const results: RuleResult[] = [];
  for (const rule of rules) {
    const [result] = await step(
      log,
      'rule',
      () => runQualityRules(knex, [rule], scope),
      ([r]) => describe(r!),
    );
    results.push(result!);
  }
  return results;
}

function describe(r: RuleResult) {
  return {
    message: `${r.rule_id} ${r.passed ? 'passed' : 'FAILED'}, ${r.failing_count} of ${r.checked_count} rows failing`,
    fields: {
      rule: r.rule_id,
      group: r.rule_group,
      passed: r.passed,
      failing: r.failing_count,
      checked: r.checked_count,
    },
    level: r.passed ? ('info' as const) : ('warn' as const),
  };
}
