import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { scrubDetail } from '../../engine/index.js';
import { hashPassword, writeUsers } from '../../dashboard/index.js';
import { basic, json, login, PUBLIC_READ, startServer, TOKEN, USER, type TestServer } from './server.js';

const HTML = { accept: 'text/html,application/xhtml+xml' };
const VIEWER = basic('victor', 'victor-password-1');

/** Every change made by hand leaves one audit entry saying who, through what, what and how it ended. */
describe('dashboard: the audit log', function () {
  this.timeout(60_000);
  let dir: string;
  let s: TestServer;
  const entries = async (where: Record<string, unknown> = {}) =>
    s.harness.db.knex('orchestrator.audit_log').where(where).orderBy('id');

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'wareflow-audit-'));
    const file = path.join(dir, 'users');
    await writeUsers(
      file,
      new Map([['victor', { role: 'viewer', hash: await hashPassword('victor-password-1') }]]),
    );
    s = await startServer({ env: { DASHBOARD_USERS_FILE: file } });
  });
  after(async () => {
    await s?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('records a pause from the page as the logged-in user, source ui', async () => {
    const { jar, csrf } = await login(s.url);
    const response = await fetch(`${s.url}/dags/demo_etl/pause`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
      body: new URLSearchParams({ paused: 'true', _csrf: csrf }),
    });
    expect(response.status).to.equal(303);
    const [entry, ...more] = await entries({ action: 'dag.pause' });
    expect(more).to.have.length(0);
    expect(entry).to.include({ actor: USER, source: 'ui', dag_id: 'demo_etl', outcome: 'ok' });
    expect(entry.at).to.be.instanceOf(Date);
  });

  it('records a trigger through the API with the token as actor and the run it created', async () => {
    const response = await fetch(
      `${s.url}/api/dags/demo_etl/runs`,
      json({ conf: { days: 3 } }, `Bearer ${TOKEN}`),
    );
    expect(response.status).to.equal(201);
    const run = (await response.json()) as { id: number };
    const [entry, ...more] = await entries({ action: 'run.trigger', source: 'api' });
    expect(more).to.have.length(0);
    expect(entry).to.include({
      actor: 'token:DASHBOARD_TOKEN',
      dag_id: 'demo_etl',
      run_id: run.id,
      outcome: 'ok',
    });
    expect(entry.detail).to.deep.equal({ conf: { days: 3 } });
  });

  it('records a change that failed with its reason, and one refused to a viewer, but no anonymous attempt', async () => {
    const bad = await fetch(`${s.url}/api/dags/demo_etl/runs`, json({ conf: { days: 99 } }, basic()));
    expect(bad.status).to.equal(400);
    const [failed] = await entries({ action: 'run.trigger', outcome: 'failed' });
    expect(failed).to.include({ actor: USER, source: 'api', dag_id: 'demo_etl', run_id: null });
    expect(failed.detail.error).to.match(/days/);

    const refused = await fetch(`${s.url}/api/runs/1/clear`, json({}, VIEWER));
    expect(refused.status).to.equal(403);
    const [entry] = await entries({ outcome: 'refused' });
    expect(entry).to.include({ actor: 'victor', source: 'api', action: 'run.clear', run_id: 1 });
    expect(entry.detail)
      .to.include({ status: 403 })
      .and.to.have.property('reason')
      .that.match(/viewer/);

    const before = (await entries()).length;
    const anonymous = await fetch(`${s.url}/api/dags/demo_etl/runs`, json({}));
    expect(anonymous.status).to.equal(401);
    expect(await entries()).to.have.length(before);
  });

  it('never stores a secret: keys naming one are dropped from the detail at any depth', () => {
    expect(
      scrubDetail({ conf: { days: 3, db_password: 'x', nested: [{ api_token: 'y', ok: 1 }] }, csrf: 'z' }),
    ).to.deep.equal({ conf: { days: 3, nested: [{ ok: 1 }] } });
    expect(scrubDetail({ blob: 'x'.repeat(9000) })).to.deep.equal({ truncated: true, chars: 9011 });
  });

  describe('the /audit page and GET /api/audit', () => {
    it('shows operators the entries newest first, filtered by action and actor, a page at a time', async () => {
      const { jar } = await login(s.url);
      const page = await fetch(`${s.url}/audit`, { headers: { cookie: jar.header() } });
      expect(page.status).to.equal(200);
      const html = await page.text();
      expect(html).to.include('href="/audit"'); // in the nav
      const rows = [...html.matchAll(/<tr data-audit-id="(\d+)"/g)].map((m) => Number(m[1]));
      expect(rows).to.have.length((await entries()).length);
      expect(rows).to.deep.equal([...rows].sort((a, b) => b - a));
      expect(html).to.include('token:DASHBOARD_TOKEN').and.to.include('href="/dags/demo_etl"');

      const get = async (query: string) =>
        (await fetch(`${s.url}/audit?${query}`, { headers: { cookie: jar.header() } })).text();
      const triggers = await get('action=run.trigger&limit=1');
      expect([...triggers.matchAll(/<tr data-audit-id=/g)]).to.have.length(1);
      expect(triggers).to.include('class="pager"').and.to.include('1–1 of 2');
      const byVictor = await get('actor=victor');
      expect([...byVictor.matchAll(/<td>victor<\/td>/g)]).to.have.length(1);
      expect(byVictor).to.include('<td>refused</td>');
    });

    it('answers the API with one page and its total, and refuses a bad filter with 400', async () => {
      const response = await fetch(`${s.url}/api/audit?source=api&limit=2`, {
        headers: { authorization: basic() },
      });
      expect(response.status).to.equal(200);
      const body = (await response.json()) as { items: Array<Record<string, unknown>>; total: number };
      expect(body).to.include({ limit: 2, offset: 0 });
      expect(body.total).to.equal((await entries({ source: 'api' })).length);
      expect(body.items.map((e) => e.source)).to.deep.equal(['api', 'api']);
      const bad = await fetch(`${s.url}/api/audit?action=DROP%20TABLE`, {
        headers: { authorization: basic() },
      });
      expect(bad.status).to.equal(400);
    });

    it('is for operators only: a viewer gets 403 and no nav link, an anonymous visitor the login', async () => {
      expect((await fetch(`${s.url}/api/audit`, { headers: { authorization: VIEWER } })).status).to.equal(
        403,
      );
      const { jar } = await login(s.url, 'victor', 'victor-password-1');
      const page = await fetch(`${s.url}/audit`, { headers: { cookie: jar.header(), ...HTML } });
      expect(page.status).to.equal(403);
      const home = await (await fetch(`${s.url}/dags`, { headers: { cookie: jar.header() } })).text();
      expect(home).to.not.include('href="/audit"');
      const anonymous = await fetch(`${s.url}/audit`, { redirect: 'manual', headers: HTML });
      expect(anonymous.status).to.equal(303);
      expect(anonymous.headers.get('location')).to.equal('/login?next=%2Faudit');
      expect((await fetch(`${s.url}/api/audit`)).status).to.equal(401);
    });

    it('stays closed to anonymous visitors when reads are public', async () => {
      const open = await startServer({ harness: s.harness, env: PUBLIC_READ });
      try {
        expect((await fetch(`${open.url}/api/dags`)).status).to.equal(200);
        expect((await fetch(`${open.url}/api/audit`)).status).to.equal(401);
      } finally {
        await open.close();
      }
    });
  });
});
