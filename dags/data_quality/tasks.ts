import {
  DEFAULT_RULE_PARAMS,
  QUALITY_RULES,
  recordQualityAlerts,
  writeQualityRun,
  type QualityAlert,
  type RuleGroup,
  type RuleParams,
} from './store/index.js';
import type { TaskLogger } from '../../engine/index.js';
import type { Knex } from '../../platform/index.js';
import type { DagServices } from '../services.js';
import { escapeHtml } from '../../platform/index.js';
import { count, countBySeverity, logInterval, severityText, step } from '../steps.js';
import { checkRules } from './checkRules.js';

export interface CheckScope {
  dagId: string;
  checkRunKey: string;
  start: Date;
  end: Date;
}

function logWindow(log: TaskLogger, scope: CheckScope): void {
  logInterval(log, 'check window', scope, { check_run_key: scope.checkRunKey });
}

/** One rule-group task: runs the group's rules, stores and logs each result. */
export async function checkRuleGroup(
  knex: Knex,
  log: TaskLogger,
  group: RuleGroup,
  scope: CheckScope,
  params: Partial<RuleParams>,
) {
  logWindow(log, scope);
  const started = performance.now();
  const results = await checkRules(knex, log, QUALITY_RULES[group], {
    checkRunKey: scope.checkRunKey,
    start: scope.start,
    end: scope.end,
    params: { ...DEFAULT_RULE_PARAMS, ...params },
  });
  const failed = results.filter((r) => !r.passed).map((r) => r.rule_id);
  const ms = Math.round(performance.now() - started);
  log.info(
    `${group}: ${results.length - failed.length} of ${count(results.length, 'rule')} passed${failed.length > 0 ? `, failing: ${failed.join(', ')}` : ''} (${ms} ms)`,
    { step: 'group', group, rules: results.length, rules_failed: failed.length, failed_rules: failed, ms },
  );
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
 * report: the run's 0–100 score (stored in data_quality_runs), the alert lifecycle of the rules
 * (an alert opens for a failing rule that has none open, and resolves when its rule passes), and
 * one e-mail listing the alerts opened now with their sample rows.
 */
export async function reportQuality(
  knex: Knex,
  log: TaskLogger,
  services: Pick<DagServices, 'mailer' | 'config'>,
  scope: CheckScope,
) {
  logWindow(log, scope);
  const run = await step(
    log,
    'score',
    () => writeQualityRun(knex, scope),
    (r) => ({
      message: `${r.score}/100, ${r.rules_failed} of ${count(r.rules_checked, 'rule')} failing, ${r.newly_failing.length} newly`,
      fields: {
        rows_read: r.rules_checked,
        rows_written: 1,
        score: r.score,
        rules_checked: r.rules_checked,
        rules_failed: r.rules_failed,
        failed_rules: r.failed_rules,
        newly_failing: r.newly_failing,
      },
    }),
  );
  const { opened: alerts } = await step(
    log,
    'alerts',
    () =>
      recordQualityAlerts(knex, {
        checkRunKey: scope.checkRunKey,
        score: run.score,
        ruleIds: run.failed_rules,
        at: scope.end,
      }),
    ({ opened: a, resolved }) => {
      const counts = countBySeverity(a);
      return {
        message: `${count(a.length, 'alert')} raised${a.length > 0 ? ` (${severityText(counts)}): ${a.map((x) => x.rule_id).join(', ')}` : ''}; ${resolved} resolved`,
        fields: {
          rows_written: a.length + resolved,
          alerts: a.length,
          by_severity: counts,
          rules: a.map((x) => x.rule_id),
          resolved,
        },
      };
    },
  );
  if (alerts.length > 0) {
    const mail = renderQualityAlert(alerts, run.score, scope);
    const recipients = services.config.ALERT_EMAIL_TO.length;
    await step(
      log,
      'email',
      () => services.mailer.send(mail),
      () => ({
        message: `sent to ${count(recipients, 'recipient')}: ${mail.subject}`,
        fields: { recipients, subject: mail.subject },
      }),
    );
  } else {
    log.info('email: no newly failing rule, nothing sent', { step: 'email', recipients: 0 });
  }
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
