import {
  ALERT_SOURCES,
  DATA_QUALITY_ALERT,
  RESOLUTIONS,
  dedupKeySql,
  insertAlertsSelect,
  sqlLiteral,
  type Severity,
} from '../../../inventory/alerts/index.js';
import type { Knex } from '../../../platform/index.js';

export const QUALITY_SOURCE = ALERT_SOURCES.dataQuality;

/** The stored alert (an upsert on the rule's open one), from the `failing` rows of the statement below. */
const INSERT_ALERTS = insertAlertsSelect(
  {
    alertType: DATA_QUALITY_ALERT,
    source: QUALITY_SOURCE,
    severity: `CASE WHEN rule_group IN ('integrity', 'consistency') THEN 'high' ELSE 'medium' END`,
    message: `format('data-quality rule %s (%s) fails: %s of %s rows', rule_id, rule_group, failing_count, checked_count)`,
    details: `jsonb_build_object('check_run_key', :key::text, 'rule_id', rule_id, 'rule_group', rule_group,
                                'failing_count', failing_count, 'checked_count', checked_count,
                                'score', :score::float8, 'sample', sample)`,
    dedupKey: dedupKeySql({ source: QUALITY_SOURCE, ruleId: 'rule_id' }),
    seenAt: ':at::timestamptz',
  },
  `FROM failing f`,
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
 * The alert lifecycle of the data-quality rules for one check run, at its instant `at` (the
 * interval end): each rule of `ruleIds` that fails in the run has one open alert
 * (`dq:{rule_id}`) — opened now if it had none, else updated (last seen, occurrences) — and the
 * open alert of every rule that passed in the run resolves (`passed`). A rerun of the run changes
 * nothing. Integrity and consistency failures are `high`, the others `medium`. Returns the
 * alerts opened now (the ones to mail) and how many resolved.
 */
export async function recordQualityAlerts(
  knex: Knex,
  run: { checkRunKey: string; score: number; ruleIds: readonly string[]; at: Date },
): Promise<{ opened: QualityAlert[]; resolved: number }> {
  const { rows } = await knex.raw(
    `
    WITH failing AS (
      SELECT r.rule_id, r.rule_group, r.failing_count, r.checked_count, r.sample
      FROM analytics.data_quality_results r
      WHERE r.check_run_key = :key AND r.rule_id = ANY (CAST(:rules AS text[])) AND NOT r.passed
    ), written AS (
      ${INSERT_ALERTS}
    ), resolved AS (
      UPDATE analytics.alerts a SET resolved_at = :at, resolution = ${sqlLiteral(RESOLUTIONS.passed)}
      FROM analytics.data_quality_results r
      WHERE r.check_run_key = :key AND r.passed AND a.resolved_at IS NULL AND a.source = ${sqlLiteral(QUALITY_SOURCE)}
        AND a.dedup_key = ${dedupKeySql({ source: QUALITY_SOURCE, ruleId: 'r.rule_id' })}
        AND a.opened_at <= :at::timestamptz
      RETURNING 1
    )
    SELECT (SELECT coalesce(json_agg(json_build_object(
              'rule_id', details->>'rule_id', 'severity', severity, 'rule_group', details->>'rule_group',
              'failing_count', (details->>'failing_count')::bigint, 'checked_count', (details->>'checked_count')::bigint,
              'sample', details->'sample') ORDER BY details->>'rule_id'), '[]')
              FROM written WHERE opened) AS opened,
           (SELECT count(*) FROM resolved)::int AS resolved
    `,
    { key: run.checkRunKey, rules: `{${run.ruleIds.join(',')}}`, score: run.score, at: run.at },
  );
  return { opened: rows[0].opened, resolved: rows[0].resolved };
}
