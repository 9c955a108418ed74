import {
  ALERT_SOURCES,
  DATA_QUALITY_ALERT,
  dedupKeySql,
  insertAlertsSelect,
  type Severity,
} from '../../../inventory/alerts/index.js';
import type { Knex } from '../../../platform/index.js';

export const QUALITY_SOURCE = ALERT_SOURCES.dataQuality;

/** The stored alert, from the `failing` rows of the statement below that this run has not alerted on. */
const INSERT_ALERTS = insertAlertsSelect(
  {
    alertType: DATA_QUALITY_ALERT,
    source: QUALITY_SOURCE,
    severity: `CASE WHEN rule_group IN ('integrity', 'consistency') THEN 'high' ELSE 'medium' END`,
    message: `format('data-quality rule %s (%s) newly fails: %s of %s rows', rule_id, rule_group, failing_count, checked_count)`,
    details: `jsonb_build_object('check_run_key', :key::text, 'rule_id', rule_id, 'rule_group', rule_group,
                                'failing_count', failing_count, 'checked_count', checked_count,
                                'score', :score::float8, 'sample', sample)`,
    dedupKey: dedupKeySql({ source: QUALITY_SOURCE, ruleId: 'rule_id' }),
  },
  `FROM failing f
      WHERE NOT EXISTS (SELECT 1 FROM analytics.alerts a
                        WHERE a.dedup_key = ${dedupKeySql({ source: QUALITY_SOURCE, ruleId: 'f.rule_id' })}
                          AND a.details->>'check_run_key' = :key)
      RETURNING severity, details`,
);

export interface QualityAlert {
  rule_id: string;
  severity: Severity;
  rule_group: string;
  failing_count: number;
  checked_count: number;
  sample: unknown[];
}

/**
 * Stores one alert per rule that newly fails in this check run (`dq:{rule_id}`), unless this run
 * already stored it — so a rerun adds nothing. Integrity and consistency failures are `high`,
 * the others `medium`. Returns the alerts inserted now.
 */
export async function recordQualityAlerts(
  knex: Knex,
  run: { checkRunKey: string; score: number; ruleIds: readonly string[] },
): Promise<QualityAlert[]> {
  if (run.ruleIds.length === 0) return [];
  const { rows } = await knex.raw(
    `
    WITH failing AS (
      SELECT r.rule_id, r.rule_group, r.failing_count, r.checked_count, r.sample
      FROM analytics.data_quality_results r
      WHERE r.check_run_key = :key AND r.rule_id = ANY (CAST(:rules AS text[])) AND NOT r.passed
    ), inserted AS (
      ${INSERT_ALERTS}
    )
    SELECT details->>'rule_id' AS rule_id, severity, details->>'rule_group' AS rule_group,
           (details->>'failing_count')::bigint AS failing_count, (details->>'checked_count')::bigint AS checked_count,
           details->'sample' AS sample
    FROM inserted ORDER BY 1
    `,
    { key: run.checkRunKey, rules: `{${run.ruleIds.join(',')}}`, score: run.score },
  );
  return rows;
}
