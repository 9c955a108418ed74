import { promises as fs } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { Registry } from 'prom-client';
import { createEngineMetrics, createSchedulerMetrics } from '../../engine/index.js';
import { registerDependencyGauge } from '../../platform/index.js';
import { createStreamingMetrics } from '../../streaming/index.js';
import { createDashboardMetrics } from '../../dashboard/metrics.js';
import { REPO_ROOT } from './cli.js';
import { exec, installed, metricsOf, ruleExpressions } from './promtool.js';

const DIR = path.join(REPO_ROOT, 'deploy', 'prometheus');
/** Series Prometheus writes itself: one per scrape target, and the alerts' own state. */
const PROMETHEUS_SERIES = new Set(['up', 'ALERTS', 'ALERTS_FOR_STATE']);

/** The names every wareflow registry registers, built as the processes build them. */
function registeredMetricNames(): Set<string> {
  const engine = createEngineMetrics().registry; // worker, scheduler, dashboard
  createSchedulerMetrics(engine); // the scheduler process
  const dependencies = new Registry(); // every process: registerDependencyGauge
  registerDependencyGauge(dependencies, {});
  const registries = [
    engine,
    dependencies,
    createStreamingMetrics().registry,
    createDashboardMetrics([]).registry,
  ];
  return new Set(registries.flatMap((r) => r.getMetricsAsArray().map((m) => m.name)));
}

describe('alert rules shipped for Prometheus', function () {
  this.timeout(60_000);

  it('cover consumer lag, DLQ, failed runs, SLA, scheduler heartbeat, worker and each dependency', async function () {
    const rules = ruleExpressions(await fs.readFile(path.join(DIR, 'alerts.yml'), 'utf8'));
    expect(rules.map((r) => r.alert)).to.have.members([
      'ConsumerLagGrowing',
      'DeadLetterRate',
      'DagRunFailed',
      'DagSlaMissed',
      'SchedulerHeartbeatMissing',
      'WorkerDown',
      'PostgresUnhealthy',
      'RedisUnhealthy',
      'KafkaUnhealthy',
    ]);
  });

  it('read only metrics that a wareflow registry registers (or that Prometheus writes)', async function () {
    const rules = ruleExpressions(await fs.readFile(path.join(DIR, 'alerts.yml'), 'utf8'));
    const registered = registeredMetricNames();
    for (const { alert, expr } of rules) {
      const used = metricsOf(expr);
      expect(used.length, `${alert} reads no metric`).to.be.greaterThan(0);
      for (const metric of used)
        expect(
          registered.has(metric) || PROMETHEUS_SERIES.has(metric),
          `${alert} reads ${metric}, which no registry has`,
        ).to.equal(true);
    }
  });

  it('each have a promtool test case', async function () {
    const rules = ruleExpressions(await fs.readFile(path.join(DIR, 'alerts.yml'), 'utf8'));
    const tests = await fs.readFile(path.join(DIR, 'alerts.test.yml'), 'utf8');
    for (const { alert } of rules)
      expect(tests, `no test case for ${alert}`).to.match(
        new RegExp(`alertname: ${alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`),
      );
  });

  it('pass promtool check rules and promtool test rules (skipped without promtool)', async function () {
    if (!(await installed('promtool'))) this.skip();
    const check = await exec('promtool', ['check', 'rules', path.join(DIR, 'alerts.yml')]);
    expect(check.code, check.stdout + check.stderr).to.equal(0);
    expect(check.stdout).to.contain('SUCCESS: 9 rules found');
    const test = await exec('promtool', ['test', 'rules', path.join(DIR, 'alerts.test.yml')]);
    expect(test.code, test.stdout + test.stderr).to.equal(0);
    expect(test.stdout).to.contain('SUCCESS');
  });
});
