import type { Knex } from '../../../platform/index.js';

export interface QualityRun {
  check_run_key: string;
  score: number;
  rules_checked: number;
  rules_failed: number;
  failed_rules: string[];
  /** Rules failing in this run that passed (or were not checked) in the previous run of the DAG. */
  newly_failing: string[];
}

/**
 * Scores a check run from its stored rule results — 100 · passed rules / rules checked, to one
 * decimal — and records it in `analytics.data_quality_runs`. "Newly failing" compares with the
 * latest earlier run of the same DAG (by interval end), so a rerun finds the same answer.
 */
export async function writeQualityRun(
  knex: Knex,
  run: { checkRunKey: string; dagId: string; start: Date; end: Date },
): Promise<QualityRun> {
  const { rows } = await knex.raw(
    `
    WITH results AS (
      SELECT rule_id, passed FROM analytics.data_quality_results WHERE check_run_key = :key
    ), summary AS (
      SELECT count(*)::int AS rules_checked,
             (count(*) FILTER (WHERE NOT passed))::int AS rules_failed,
             coalesce(array_agg(rule_id ORDER BY rule_id) FILTER (WHERE NOT passed), '{}') AS failed_rules,
             CASE WHEN count(*) = 0 THEN 100
                  ELSE round(100.0 * count(*) FILTER (WHERE passed) / count(*), 1)::float8 END AS score
      FROM results
    )
    INSERT INTO analytics.data_quality_runs AS q
      (check_run_key, dag_id, interval_start, interval_end, score, rules_checked, rules_failed, failed_rules)
    SELECT :key, :dagId, :start, :end, score, rules_checked, rules_failed, failed_rules FROM summary
    ON CONFLICT (check_run_key) DO UPDATE SET
      score = EXCLUDED.score, rules_checked = EXCLUDED.rules_checked, rules_failed = EXCLUDED.rules_failed,
      failed_rules = EXCLUDED.failed_rules, computed_at = now()
    WHERE (q.score, q.rules_checked, q.rules_failed, q.failed_rules)
      IS DISTINCT FROM (EXCLUDED.score, EXCLUDED.rules_checked, EXCLUDED.rules_failed, EXCLUDED.failed_rules)
    `,
    { key: run.checkRunKey, dagId: run.dagId, start: run.start, end: run.end },
  );
  void rows;
  const current = await knex('analytics.data_quality_runs').where({ check_run_key: run.checkRunKey }).first();
  const previous = await knex('analytics.data_quality_runs')
    .where({ dag_id: run.dagId })
    .andWhere('interval_end', '<', run.end)
    .orderBy('interval_end', 'desc')
    .first('failed_rules');
  const before = new Set<string>(previous?.failed_rules ?? []);
  return {
    check_run_key: current.check_run_key,
    score: current.score,
    rules_checked: current.rules_checked,
    rules_failed: current.rules_failed,
    failed_rules: current.failed_rules,
    newly_failing: (current.failed_rules as string[]).filter((r) => !before.has(r)),
  };
}
