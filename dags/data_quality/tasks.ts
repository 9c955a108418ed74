import {
  DEFAULT_RULE_PARAMS,
  QUALITY_RULES,
  recordQualityAlerts,
  runQualityRules,
  writeQualityRun,
  type QualityAlert,
  type RuleGroup,
  type RuleParams,
} from './store/index.js';
import type { Knex } from '../../platform/index.js';
import type { DagServices } from '../services.js';
import { escapeHtml } from '../../platform/index.js';

export interface CheckScope {
  dagId: string;
  checkRunKey: string;
  start: Date;
  end: Date;
}

/** One rule-group task: runs the group's rules and stores each result. */
export async function checkRuleGroup(
  knex: Knex,
  group: RuleGroup,
  scope: CheckScope,
  params: Partial<RuleParams>,
) {
  const results = await runQualityRules(knex, QUALITY_RULES[group], {
    checkRunKey: scope.checkRunKey,
    start: scope.start,
    end: scope.end,
    params: { ...DEFAULT_RULE_PARAMS, ...params },
  });
  return {
    group,
    rules: results.map((r) => ({
      rule: r.rule_id,
      passed: r.passed,
      failing: r.failing_count,
      checked: r.checked_count,
    })),
  };
}

/**
 * report: the run's 0–100 score (stored in data_quality_runs), an alert for every rule that
 * newly fails, and one e-mail listing them with their sample rows.
 */
export async function reportQuality(knex: Knex, services: Pick<DagServices, 'mailer'>, scope: CheckScope) {
  const run = await writeQualityRun(knex, scope);
  const alerts = await recordQualityAlerts(knex, {
    checkRunKey: scope.checkRunKey,
    score: run.score,
    ruleIds: run.newly_failing,
  });
  if (alerts.length > 0) await services.mailer.send(renderQualityAlert(alerts, run.score, scope));
  return {
    score: run.score,
    rulesChecked: run.rules_checked,
    failedRules: run.failed_rules,
    newlyFailing: run.newly_failing,
    alerted: alerts.map((a) => a.rule_id),
  };
}

function renderQualityAlert(alerts: QualityAlert[], score: number, scope: CheckScope) {
  const subject = `[wareflow] Data quality: ${alerts.length} rule${alerts.length === 1 ? '' : 's'} newly failing (score ${score})`;
  const period = `${scope.start.toISOString()} – ${scope.end.toISOString()}`;
  const text = [
    `Data-quality check ${scope.checkRunKey} (${period}), score ${score}/100.`,
    '',
    ...alerts.map(
      (a) =>
        `${a.rule_id} (${a.rule_group}): ${a.failing_count} of ${a.checked_count} failing; sample ${JSON.stringify(a.sample.slice(0, 3))}`,
    ),
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family: sans-serif">
<h2>Data quality: score ${escapeHtml(score)}/100</h2><p>${escapeHtml(scope.checkRunKey)} (${escapeHtml(period)})</p>
<table border="1" cellpadding="4" cellspacing="0" style="border-collapse: collapse">
<thead><tr><th>Rule</th><th>Group</th><th>Failing</th><th>Checked</th><th>Sample</th></tr></thead><tbody>
${alerts
  .map(
    (a) =>
      `<tr><td>${escapeHtml(a.rule_id)}</td><td>${escapeHtml(a.rule_group)}</td><td>${a.failing_count}</td><td>${a.checked_count}</td><td><code>${escapeHtml(JSON.stringify(a.sample.slice(0, 3)))}</code></td></tr>`,
  )
  .join('\n')}
</tbody></table></body></html>`;
  return { subject, text, html };
}
