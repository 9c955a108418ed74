import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { Queue } from 'bullmq';
import { loadConfig } from '../../platform/index.js';
import { queueNameFor } from '../../engine/index.js';
import { accessPolicy } from '../../dashboard/index.js';
import { waitFor } from '../support/wait.js';
import { warehouseReads } from '../../cli/commands/dashboard.js';
import { basic, login, startServer, TOKEN, type TestServer } from './server.js';

const json = (body: unknown, auth?: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
  body: JSON.stringify(body),
});

describe('dashboard API', function () {
  let s: TestServer;

  before(async () => {
    s = await startServer({ worker: true });
  });
  after(async () => {
    await s?.close();
  });

  const get = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${s.url}${path}`, init);
    return { status: response.status, body: (await response.json()) as Record<string, any>, response };
  };
  const runCount = async () =>
    Number((await s.harness.db.knex('orchestrator.dag_runs').count({ n: '*' }))[0]!.n);

  describe('configuration', () => {
    it('refuses to start with mutations enabled and no credentials, naming the variables', () => {
      expect(() => accessPolicy(loadConfig({}))).to.throw(
        /DASHBOARD_USER.*DASHBOARD_PASSWORD.*DASHBOARD_TOKEN.*DASHBOARD_READONLY=true/,
      );
    });

    it('starts without credentials when DASHBOARD_READONLY=true', () => {
      const policy = accessPolicy(loadConfig({ DASHBOARD_READONLY: 'true' }));
      expect(policy.readOnly).to.equal(true);
      expect(policy.hasCredentials).to.equal(false);
    });
  });

  describe('reads', () => {
    it('lists the DAGs with schedule in words, paused flag, next run and params', async () => {
      const { status, body } = await get('/api/dags');
      expect(status).to.equal(200);
      const demo = body.dags.find((d: any) => d.dag_id === 'demo_etl');
      expect(demo).to.include({
        schedule: '0 2 * * *',
        schedule_description: 'every day at 02:00 UTC',
        is_paused: false,
      });
      expect(demo.tasks).to.deep.equal(['extract', 'load']);
      expect(demo.params.map((p: any) => p.name)).to.deep.equal(['days', 'label']);
      expect(new Date(demo.next_run_at).getUTCHours()).to.equal(2);
    });

    it('answers 404 for an unknown DAG and 400 for a malformed DAG id, as JSON without a stack', async () => {
      const unknown = await get('/api/dags/nope/runs');
      expect(unknown.status).to.equal(404);
      expect(unknown.body.error).to.match(/unknown DAG 'nope'/);
      const malformed = await get('/api/dags/bad%20id!/runs');
      expect(malformed.status).to.equal(400);
      expect(malformed.body.error).to.match(/dagId/);
      expect(JSON.stringify(malformed.body)).not.to.match(/\bat .*\.ts:\d+/);
    });

    it('rejects bad pagination and filters with 400', async () => {
      expect((await get('/api/dags/demo_etl/runs?limit=0')).status).to.equal(400);
      expect((await get('/api/dags/demo_etl/runs?state=exploded')).status).to.equal(400);
      expect((await get('/api/alerts?severity=apocalyptic')).status).to.equal(400);
    });
  });

  describe('mutations need credentials', () => {
    const attempts: Array<[string, string, RequestInit]> = [
      ['trigger', '/api/dags/demo_etl/runs', json({ conf: {} })],
      ['pause', '/api/dags/demo_etl', { ...json({ is_paused: true }), method: 'PATCH' }],
      ['clear', '/api/runs/1/clear', json({})],
      ['mark', '/api/runs/1/tasks/extract/mark', json({ state: 'success' })],
      ['backfill', '/api/dags/demo_etl/backfills', json({ from: '2026-01-01', to: '2026-01-03' })],
      ['Bull Board pause all', '/admin/queues/api/queues/pause', { method: 'PUT' }],
    ];
    for (const [what, path, init] of attempts) {
      it(`refuses ${what} without credentials (401) and with wrong ones (401)`, async () => {
        const before = await runCount();
        const anonymous = await fetch(`${s.url}${path}`, init);
        expect(anonymous.status).to.equal(401);
        expect(anonymous.headers.get('www-authenticate')).to.match(/^Basic/);
        const wrong = await fetch(`${s.url}${path}`, {
          ...init,
          headers: { ...(init.headers as Record<string, string>), authorization: basic('operator', 'guess') },
        });
        expect(wrong.status).to.equal(401);
        const badToken = await fetch(`${s.url}${path}`, {
          ...init,
          headers: { ...(init.headers as Record<string, string>), authorization: 'Bearer not-the-token' },
        });
        expect(badToken.status).to.equal(401);
        expect(await runCount()).to.equal(before);
      });
    }

    it('keeps the queues unpaused when Bull Board is asked anonymously', async () => {
      const q = new Queue(queueNameFor('default'), { connection: s.harness.redis, prefix: s.harness.prefix });
      try {
        expect(await q.isPaused()).to.equal(false);
      } finally {
        await q.close();
      }
    });

    it('redirects a page form posted without a session to the login page, changing nothing', async () => {
      const before = await runCount();
      const response = await fetch(`${s.url}/dags/demo_etl/trigger`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'conf=%7B%7D',
      });
      expect(response.status).to.equal(303);
      expect(response.headers.get('location')).to.match(/^\/login\?next=/);
      expect(await runCount()).to.equal(before);
    });

    it('shows Bull Board only after login when credentials are configured', async () => {
      const anonymous = await fetch(`${s.url}/admin/queues`, {
        redirect: 'manual',
        headers: { accept: 'text/html' },
      });
      expect(anonymous.status).to.equal(303);
      const withBasic = await fetch(`${s.url}/admin/queues/api/queues`, {
        headers: { authorization: basic() },
      });
      expect(withBasic.status).to.equal(200);
      const { queues } = (await withBasic.json()) as { queues: Array<{ name: string }> };
      expect(queues.map((q) => q.name)).to.include(queueNameFor('default'));
    });
  });

  describe('trigger', () => {
    it('creates a run with Basic credentials (201) that the worker takes to success', async () => {
      const { status, body, response } = await get(
        '/api/dags/demo_etl/runs',
        json({ conf: { days: 3 } }, basic()),
      );
      expect(status).to.equal(201);
      expect(body).to.include({ dag_id: 'demo_etl', run_type: 'manual', state: 'running' });
      expect(body.conf).to.deep.equal({ days: 3, label: 'x' });
      expect(response.headers.get('location')).to.equal(`/api/runs/${body.id}`);
      const done = await waitFor('the triggered run to succeed', async () => {
        const run = await get(`/api/runs/${body.id}`);
        return run.body.state === 'success' ? run.body : undefined;
      });
      expect(done.task_instances.map((t: any) => [t.task_id, t.state])).to.deep.equal([
        ['extract', 'success'],
        ['load', 'success'],
      ]);
      const logs = await get(`/api/runs/${body.id}/tasks/extract/logs`);
      expect(logs.body.lines.map((l: any) => l.message)).to.include('extracting rows');
      const listed = await get('/api/dags/demo_etl/runs?state=success');
      expect(listed.body.runs.map((r: any) => r.id)).to.include(body.id);
    });

    it('creates a run with the Bearer token (201)', async () => {
      const { status, body } = await get('/api/dags/demo_etl/runs', json({}, `Bearer ${TOKEN}`));
      expect(status).to.equal(201);
      expect(body.conf).to.deep.equal({ days: 7, label: 'x' });
    });

    it('answers 400 with a message for bad params, bad bodies and unknown DAGs, creating nothing', async () => {
      const before = await runCount();
      const cases: Array<[RequestInit, RegExp, string?]> = [
        [json({ conf: { days: 99 } }, basic()), /days/],
        [json({ conf: { days: 'three' } }, basic()), /days/],
        [json({ conf: [] }, basic()), /conf/],
        [json({ conf: {}, extra: 1 }, basic()), /extra/],
        [{ ...json({}, basic()), body: '{"conf": ' }, /not valid JSON/],
        [json({ conf: {} }, basic()), /unknown DAG 'no_such_dag'/, '/api/dags/no_such_dag/runs'],
        [json({ conf: {} }, basic()), /dagId/, '/api/dags/bad..%3Cid%3E/runs'],
      ];
      for (const [init, message, path = '/api/dags/demo_etl/runs'] of cases) {
        const { status, body } = await get(path, init);
        expect(status, `${path} ${String(init.body)}`).to.equal(400);
        expect(body.error).to.match(message);
        expect(JSON.stringify(body)).not.to.match(/\n\s+at /);
      }
      expect(await runCount()).to.equal(before);
    });
  });

  describe('browser-style requests', () => {
    it('refuses Basic credentials on a form-encoded body (what a hostile page could post)', async () => {
      const response = await fetch(`${s.url}/api/dags/demo_etl/runs`, {
        method: 'POST',
        headers: { authorization: basic(), 'content-type': 'text/plain' },
        body: '{"conf":{}}',
      });
      expect(response.status).to.equal(415);
    });

    it('refuses a cross-site request even with valid credentials', async () => {
      const response = await fetch(`${s.url}/api/dags/demo_etl/runs`, {
        ...json({}, basic()),
        headers: {
          'content-type': 'application/json',
          authorization: basic(),
          origin: 'https://evil.example',
        },
      });
      expect(response.status).to.equal(403);
    });

    it('needs the session CSRF token for form posts and API calls from a logged-in browser', async () => {
      const { jar, csrf } = await login(s.url);
      const before = await runCount();
      const noToken = await fetch(`${s.url}/dags/demo_etl/trigger`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
        body: new URLSearchParams({ 'param.days': '2' }),
      });
      expect(noToken.status).to.equal(403);
      const apiNoToken = await fetch(`${s.url}/api/dags/demo_etl/runs`, {
        ...json({}),
        headers: { 'content-type': 'application/json', cookie: jar.header() },
      });
      expect(apiNoToken.status).to.equal(403);
      expect(await runCount()).to.equal(before);

      const withToken = await fetch(`${s.url}/dags/demo_etl/trigger`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
        body: new URLSearchParams({ _csrf: csrf, 'param.days': '2', 'param.label': 'from form' }),
      });
      expect(withToken.status).to.equal(303);
      expect(withToken.headers.get('location')).to.match(/^\/dags\/demo_etl\?flash=triggered/);
      const [run] = await s.harness.db.knex('orchestrator.dag_runs').orderBy('id', 'desc').limit(1);
      expect(run.conf).to.deep.equal({ days: 2, label: 'from form' });

      const apiWithToken = await fetch(`${s.url}/api/dags/demo_etl/runs`, {
        ...json({}),
        headers: { 'content-type': 'application/json', cookie: jar.header(), 'x-csrf-token': csrf },
      });
      expect(apiWithToken.status).to.equal(201);
    });

    it('logs out: the session no longer authorises anything', async () => {
      const { jar, csrf } = await login(s.url);
      const out = await fetch(`${s.url}/logout`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
        body: new URLSearchParams({ _csrf: csrf }),
      });
      expect(out.status).to.equal(303);
      const after = await fetch(`${s.url}/api/dags/demo_etl/runs`, {
        ...json({}),
        headers: { 'content-type': 'application/json', cookie: jar.header(), 'x-csrf-token': csrf },
      });
      expect(after.status).to.equal(401);
    });

    it('rejects a wrong password on the login form without a session', async () => {
      const form = await fetch(`${s.url}/login`);
      const cookie = form.headers.getSetCookie()[0]!.split(';')[0]!;
      const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
      const posted = await fetch(`${s.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ user: 'operator', password: 'nope', _csrf: token }),
      });
      expect(posted.status).to.equal(303);
      expect(posted.headers.get('location')).to.match(/^\/login/);
      expect(posted.headers.getSetCookie().join(';')).not.to.match(/wareflow_session=[^;]/);
    });
  });

  describe('operations', () => {
    it('pauses and unpauses a DAG', async () => {
      const paused = await get('/api/dags/demo_etl', {
        ...json({ is_paused: true }, basic()),
        method: 'PATCH',
      });
      expect(paused.status).to.equal(200);
      expect(paused.body).to.include({ is_paused: true, next_run_at: null });
      const unpaused = await get('/api/dags/demo_etl', {
        ...json({ is_paused: false }, basic()),
        method: 'PATCH',
      });
      expect(unpaused.body.is_paused).to.equal(false);
    });

    it('clears a failed task, and marks a task success so the run can finish', async () => {
      const { body: run } = await get('/api/dags/always_fails/runs', json({}, basic()));
      await waitFor(
        'the run to fail',
        async () => (await get(`/api/runs/${run.id}`)).body.state === 'failed',
      );
      const failed = await get(`/api/runs/${run.id}`);
      expect(failed.body.task_instances.map((t: any) => t.state)).to.deep.equal([
        'upstream_failed',
        'failed',
      ]);

      const cleared = await get(`/api/runs/${run.id}/clear`, json({ only_failed: true }, basic()));
      expect(cleared.status).to.equal(200);
      expect(cleared.body.cleared).to.have.members(['boom', 'after']);
      await waitFor('the cleared run to fail again', async () => {
        const r = (await get(`/api/runs/${run.id}`)).body;
        return (
          r.state === 'failed' && r.task_instances.find((t: any) => t.task_id === 'boom').try_number === 2
        );
      });

      // As in Airflow, marking a task does not rerun downstream tasks that already ended: mark
      // the failed one success, then clear the skipped-by-failure one so it runs.
      const marked = await get(`/api/runs/${run.id}/tasks/boom/mark`, json({ state: 'success' }, basic()));
      expect(marked.status).to.equal(200);
      expect(marked.body.state).to.equal('success');
      const rerun = await get(`/api/runs/${run.id}/clear`, json({ task_ids: ['after'] }, basic()));
      expect(rerun.body.cleared).to.deep.equal(['after']);
      await waitFor(
        'the run to succeed',
        async () => (await get(`/api/runs/${run.id}`)).body.state === 'success',
      );

      const bad = await get(`/api/runs/${run.id}/tasks/boom/mark`, json({ state: 'exploded' }, basic()));
      expect(bad.status).to.equal(400);
      const missing = await get(`/api/runs/${run.id}/tasks/nope/mark`, json({ state: 'success' }, basic()));
      expect(missing.status).to.equal(404);
    });

    it('starts a backfill (201) and lists it with its progress', async () => {
      const created = await get(
        '/api/dags/demo_etl/backfills',
        json({ from: '2026-01-01T02:00:00Z', to: '2026-01-03T02:00:00Z', concurrency: 2 }, basic()),
      );
      expect(created.status).to.equal(201);
      expect(created.body).to.include({ dag_id: 'demo_etl', total: 3, state: 'running' });
      const listed = await get('/api/dags/demo_etl/backfills');
      expect(listed.body.backfills[0]).to.include({ id: created.body.id });
      expect(listed.body.backfills[0].progress).to.have.keys(['success', 'failed', 'running']);
      const reversed = await get(
        '/api/dags/demo_etl/backfills',
        json({ from: '2026-01-03', to: '2026-01-01' }, basic()),
      );
      expect(reversed.status).to.equal(400);
    });
  });

  describe('warehouse results', () => {
    before(async () => {
      const knex = s.harness.db.knex;
      await knex('analytics.alerts').insert([
        {
          alert_type: 'LOW_STOCK',
          severity: 'high',
          source: 'low_stock_alerts',
          sku: 'A-1',
          warehouse_id: 'W1',
          message: 'low <script>alert(1)</script>',
          dedup_key: 'k1',
        },
        {
          alert_type: 'LOW_STOCK',
          severity: 'critical',
          source: 'low_stock_alerts',
          sku: 'A-2',
          warehouse_id: 'W1',
          message: 'out of stock',
          dedup_key: 'k2',
        },
        {
          alert_type: 'ANOMALY',
          severity: 'low',
          source: 'streaming',
          sku: 'A-3',
          warehouse_id: 'W2',
          message: 'resolved one',
          dedup_key: 'k3',
          resolved_at: new Date(),
        },
      ]);
      await knex('analytics.data_quality_results').insert([
        {
          check_run_key: 'dq-1',
          rule_id: 'negative_on_hand',
          rule_group: 'integrity',
          passed: false,
          failing_count: 2,
          checked_count: 10,
        },
        {
          check_run_key: 'dq-1',
          rule_id: 'freshness',
          rule_group: 'freshness',
          passed: true,
          failing_count: 0,
          checked_count: 1,
        },
      ]);
      const t0 = Date.now() - 10 * 60_000;
      await knex('analytics.stream_windows').insert(
        [0, 1, 2].map((i) => ({
          window_kind: 'tumbling_1m',
          window_start: new Date(t0 + i * 60_000),
          window_end: new Date(t0 + (i + 1) * 60_000),
          sku: 'A-1',
          warehouse_id: 'W1',
          event_count: 10 + i,
          units_in: 5,
          units_out: 3,
        })),
      );
      await knex('analytics.anomalies').insert({
        event_id: '00000000-0000-4000-8000-000000000001',
        sku: 'A-1',
        warehouse_id: 'W1',
        anomaly_type: 'HIGH_VALUE',
        severity: 'high',
        risk_score: 0.8,
        occurred_at: new Date(t0),
      });
    });

    it('lists open alerts most severe first, filtered and paginated', async () => {
      const open = await get('/api/alerts');
      expect(open.body.total).to.equal(2);
      expect(open.body.items.map((a: any) => a.severity)).to.deep.equal(['critical', 'high']);
      const page = await get('/api/alerts?status=all&limit=1&offset=1');
      expect(page.body).to.include({ total: 3, limit: 1, offset: 1 });
      expect(page.body.items).to.have.length(1);
      const filtered = await get('/api/alerts?sku=A-2');
      expect(filtered.body.items.map((a: any) => a.sku)).to.deep.equal(['A-2']);
    });

    it('lists data-quality results, filterable by outcome', async () => {
      const failed = await get('/api/data-quality/results?passed=false');
      expect(failed.body.items.map((r: any) => r.rule_id)).to.deep.equal(['negative_on_hand']);
      expect((await get('/api/data-quality/results')).body.total).to.equal(2);
    });

    it('serves stream windows, throughput per window and anomalies', async () => {
      const windows = await get('/api/stream/windows?window_kind=tumbling_1m&sku=A-1');
      expect(windows.body.total).to.equal(3);
      const throughput = await get('/api/stream/throughput?window_kind=tumbling_1m&hours=1');
      expect(throughput.body.points.map((p: any) => p.events)).to.deep.equal([10, 11, 12]);
      const anomalies = await get('/api/stream/anomalies?severity=high');
      expect(anomalies.body.items.map((a: any) => a.anomaly_type)).to.deep.equal(['HIGH_VALUE']);
    });

    it('escapes data in pages (no markup from the database reaches the HTML)', async () => {
      const page = await (await fetch(`${s.url}/alerts`)).text();
      expect(page).to.include('low &lt;script&gt;alert(1)&lt;/script&gt;');
      expect(page).not.to.include('<script>alert(1)');
      const dagPage = await (await fetch(`${s.url}/`)).text();
      expect(dagPage).to.include('Demo &lt;b&gt;ETL&lt;/b&gt;');
    });

    it('renders the stream page with inline SVG charts', async () => {
      const response = await fetch(`${s.url}/stream?hours=1`);
      const page = await response.text();
      expect(response.status, page.slice(0, 2000)).to.equal(200);
      expect(page).to.match(/<svg[^>]+aria-label="events per window"/);
      expect(page).to.match(/<rect\s+class="bar series-\d"/);
    });
  });

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

describe('read-only dashboard', function () {
  let s: TestServer;
  before(async () => {
    s = await startServer({ env: { DASHBOARD_READONLY: 'true' } });
  });
  after(async () => {
    await s?.close();
  });

  it('refuses every mutation with 403 even with valid credentials', async () => {
    const trigger = await fetch(`${s.url}/api/dags/demo_etl/runs`, json({}, basic()));
    expect(trigger.status).to.equal(403);
    expect(((await trigger.json()) as any).error).to.match(/read-only/);
    const board = await fetch(`${s.url}/admin/queues/api/queues/pause`, {
      method: 'PUT',
      headers: { authorization: basic() },
    });
    expect(board.status).to.equal(403);
  });

  it('puts Bull Board in its read-only mode', async () => {
    const response = await fetch(`${s.url}/admin/queues/api/queues`, { headers: { authorization: basic() } });
    const { queues } = (await response.json()) as { queues: Array<{ readOnlyMode: boolean }> };
    expect(queues.length).to.be.greaterThan(0);
    expect(queues.every((q) => q.readOnlyMode)).to.equal(true);
  });
});
