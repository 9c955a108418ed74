import { expect } from 'chai';
import { Queue } from 'bullmq';
import { loadConfig } from '../../platform/index.js';
import { queueNameFor } from '../../engine/index.js';
import { accessPolicy } from '../../dashboard/index.js';
import { apiClient, basic, json, login, startServer, useServer, type TestServer } from './server.js';

/** Who may do what: credentials, sessions and CSRF, browser-style requests, read-only mode. */
describe('dashboard API', function () {
  let s: TestServer;
  useServer({ worker: true }, (server) => (s = server));

  const { runCount } = apiClient(() => s);

  describe('configuration', () => {
    it('refuses to start with mutations enabled and no credentials, naming the variables', () => {
      expect(() => accessPolicy(loadConfig({}))).to.throw(
        /DASHBOARD_USER.*DASHBOARD_PASSWORD.*DASHBOARD_TOKEN.*DASHBOARD_READONLY=true/,
      );
    });

    it('refuses to start read-only without credentials unless reads are public, naming the variable', () => {
      expect(() => accessPolicy(loadConfig({ DASHBOARD_READONLY: 'true' }))).to.throw(
        /DASHBOARD_PUBLIC_READ: reads need a login/,
      );
    });

    it('starts without credentials when DASHBOARD_READONLY=true and DASHBOARD_PUBLIC_READ=true', () => {
      const policy = accessPolicy(loadConfig({ DASHBOARD_READONLY: 'true', DASHBOARD_PUBLIC_READ: 'true' }));
      expect(policy.readOnly).to.equal(true);
      expect(policy.publicRead).to.equal(true);
      expect(policy.hasCredentials).to.equal(false);
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

    it('shows Bull Board only to a logged-in operator', async () => {
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
