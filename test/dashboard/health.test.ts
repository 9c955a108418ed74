import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { warehouseReads } from '../../cli/commands/dashboard.js';
import { loadConfig } from '../../platform/index.js';
import { apiClient, startServer, useServer, PUBLIC_READ, type TestServer } from './server.js';

/** Security headers, /metrics and /health, also with a service down. */
describe('dashboard API', function () {
  let s: TestServer;
  useServer({ worker: true, env: PUBLIC_READ }, (server) => (s = server));

  const { get } = apiClient(() => s);

  describe('headers, metrics and health', () => {
    it('sends a strict CSP and other secure headers on pages', async () => {
      const response = await fetch(`${s.url}/`);
      const csp = response.headers.get('content-security-policy')!;
      expect(csp).to.include("script-src 'self'");
      expect(csp).to.include("frame-ancestors 'none'");
      expect(csp).not.to.include('unsafe-inline');
      expect(response.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(response.headers.get('x-powered-by')).to.equal(null);
    });

    it('serves Prometheus metrics: HTTP, process defaults and the engine registry', async () => {
      await fetch(`${s.url}/api/dags`);
      const response = await fetch(`${s.url}/metrics`);
      expect(response.headers.get('content-type')).to.match(/^text\/plain/);
      const text = await response.text();
      expect(text).to.match(
        /wareflow_dashboard_http_requests_total\{method="GET",route="\/api\/dags",status="200"\} \d+/,
      );
      expect(text).to.include('process_cpu_user_seconds_total');
      expect(text).to.include('wareflow_dag_runs');
      const names = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]);
      expect(new Set(names).size).to.equal(names.length);
    });

    it('passes promtool check metrics when promtool is installed', async function () {
      const promtool = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p));
      if (!promtool) this.skip();
      const text = await (await fetch(`${s.url}/metrics`)).text();
      const child = execFile(promtool!, ['check', 'metrics']);
      const done = new Promise<{ code: number | null; out: string }>((resolve) => {
        let out = '';
        child.stdout?.on('data', (d) => (out += d));
        child.stderr?.on('data', (d) => (out += d));
        child.on('close', (code) => resolve({ code, out }));
      });
      child.stdin!.end(text);
      const { code, out } = await done;
      expect(out).not.to.match(/error/i);
      expect(code).to.equal(0);
      void promisify;
    });

    it('reports PostgreSQL, Redis and Kafka healthy (200)', async () => {
      const { status, body } = await get('/health');
      expect(status).to.equal(200);
      expect(body.status).to.equal('ok');
      expect(body.checks.postgres.ok && body.checks.redis.ok && body.checks.kafka.ok).to.equal(true);
    });
  });
});

describe('dashboard health with a service down', function () {
  it('answers 503 naming Kafka when the brokers are unreachable', async () => {
    const s = await startServer({ env: { KAFKA_BROKERS: '127.0.0.1:1' } });
    try {
      const response = await fetch(`${s.url}/health`);
      expect(response.status).to.equal(503);
      const body = (await response.json()) as any;
      expect(body.down).to.deep.equal(['kafka']);
      expect(body.checks.postgres.ok).to.equal(true);
      expect(body.checks.kafka.error).to.be.a('string').and.not.equal('');
    } finally {
      await s.close();
    }
  });

  it('answers 503 naming Redis when its connection is down', async () => {
    const { createRedis } = await import('../../platform/index.js');
    const s = await startServer();
    const dead = createRedis('redis://127.0.0.1:1', { lazyConnect: true });
    dead.on('error', () => undefined);
    const { createDashboard } = await import('../../dashboard/index.js');
    const config = loadConfig({
      DATABASE_URL: s.harness.db.url,
      QUEUE_PREFIX: s.harness.prefix,
      DASHBOARD_READONLY: 'true',
      ...PUBLIC_READ,
      LOG_LEVEL: 'silent',
    });
    const d = createDashboard({
      config,
      reads: warehouseReads(s.harness.db.knex),
      pingDatabase: () => s.harness.db.knex.raw('SELECT 1'),
      redis: dead,
      engine: s.harness.engine,
      logger: s.harness.engine.logger,
    });
    const { url } = await d.listen(0, '127.0.0.1');
    try {
      const response = await fetch(`${url}/health`);
      expect(response.status).to.equal(503);
      expect(((await response.json()) as any).down).to.deep.equal(['redis']);
    } finally {
      await d.close();
      dead.disconnect();
      await s.close();
    }
  });
});
