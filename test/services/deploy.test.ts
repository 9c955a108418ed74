import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from './cli.js';
import { exec, installed, metricsOf } from './promtool.js';

interface Panel {
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: Array<{ expr: string }>;
}

/** Every `name: '…'` in the TypeScript sources outside test/ (prom-client metric definitions). */
async function definedMetricNames(): Promise<Set<string>> {
  const names = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      if (['node_modules', 'test', '.git', '.cache', 'data'].includes(entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name.endsWith('.ts')) {
        for (const m of (await fs.readFile(full, 'utf8')).matchAll(/name:\s*'([a-z_][a-z0-9_]*)'/g))
          names.add(m[1]!);
      }
    }
  };
  await walk(REPO_ROOT);
  return names;
}

describe('deployment files for Docker users', function () {
  this.timeout(60_000);

  it('docker-compose.yml is accepted by docker-compose and has every service of the stack (skipped without docker-compose)', async function () {
    if (!(await installed('docker-compose'))) this.skip();
    // `config` validates the whole file before it lists the services.
    const check = await exec('docker-compose', ['-f', 'docker-compose.yml', 'config', '--services']);
    expect(check.code, check.stderr).to.equal(0);
    const services = check.stdout.trim().split('\n');
    expect(services).to.have.members([
      'postgres',
      'redis',
      'kafka',
      'migrate',
      'scheduler',
      'worker',
      'streaming',
      'dashboard',
      'generator',
      'mailpit',
      'prometheus',
      'grafana',
    ]);
    const text = await fs.readFile(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
    expect(text)
      .to.contain('image: apache/kafka:3.9.1')
      .and.contain('KAFKA_PROCESS_ROLES: broker,controller');
    expect(text).not.to.match(/image:.*zookeeper|ZOOKEEPER_CONNECT/i);
  });

  it('prometheus.yml is valid, loads the alert rules and scrapes the dashboard, streaming, worker and scheduler /metrics (skipped without promtool)', async function () {
    const file = path.join(REPO_ROOT, 'deploy', 'prometheus', 'prometheus.yml');
    const text = await fs.readFile(file, 'utf8');
    for (const target of ['dashboard:3000', 'streaming:3001', 'worker:3002', 'scheduler:3003'])
      expect(text).to.contain(target);
    expect(text).to.match(/rule_files:\s+- alerts\.yml/);
    if (!(await installed('promtool'))) this.skip();
    const check = await exec('promtool', ['check', 'config', file]);
    expect(check.code, check.stdout + check.stderr).to.equal(0);
  });

  it('charts in Grafana only metrics the code defines, with queries that are valid PromQL', async function () {
    const dashboard = JSON.parse(
      await fs.readFile(path.join(REPO_ROOT, 'deploy', 'grafana', 'dashboards', 'wareflow.json'), 'utf8'),
    ) as { uid: string; panels: Panel[] };
    const charts = dashboard.panels.filter((p) => p.type !== 'row');
    const exprs = charts.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(charts.length).to.be.greaterThanOrEqual(10);
    for (const panel of charts) expect(panel.datasource?.uid, panel.title).to.equal('prometheus');

    const defined = await definedMetricNames();
    const used = new Set(exprs.flatMap(metricsOf));
    for (const metric of [
      'wareflow_dag_runs',
      'wareflow_task_instances',
      'wareflow_queue_depth',
      'consumer_lag',
      'ALERTS',
      'wareflow_dependency_up',
    ]) {
      expect([...used]).to.include(metric);
    }
    // ALERTS is the series Prometheus writes for its alert rules (deploy/prometheus/alerts.yml).
    for (const metric of used)
      expect(defined.has(metric) || metric === 'ALERTS', `${metric} is not defined in the code`).to.equal(
        true,
      );

    const datasource = await fs.readFile(
      path.join(REPO_ROOT, 'deploy', 'grafana', 'provisioning', 'datasources', 'prometheus.yml'),
      'utf8',
    );
    expect(datasource).to.contain('uid: prometheus').and.contain('url: http://prometheus:9090');

    if (!(await installed('promtool'))) return;
    // promtool parses each expression as a recording rule: a typo in PromQL fails here.
    const rules = [
      'groups:',
      '  - name: dashboard',
      '    rules:',
      ...exprs.flatMap((expr, i) => [
        `      - record: dashboard:query_${i}`,
        `        expr: ${JSON.stringify(expr)}`,
      ]),
    ].join('\n');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wareflow-rules-'));
    try {
      await fs.writeFile(path.join(dir, 'rules.yml'), rules);
      const check = await exec('promtool', ['check', 'rules', path.join(dir, 'rules.yml')]);
      expect(check.code, check.stdout + check.stderr).to.equal(0);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
