import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { defineDag, startBackfill, task, triggerRun } from '../../engine/index.js';
import { hashPassword, writeUsers } from '../../dashboard/index.js';
import { waitFor } from '../support/wait.js';
import { apiClient, basic, demoDag, json, login, startServer, type TestServer } from './server.js';

const started = new Set<number>();
/** Holds until its signal fires. */
const holdDag = defineDag({
  id: 'hold',
  schedule: '0 0 * * *',
  startDate: '2025-01-01T00:00:00Z',
  tasks: {
    hold: task(async (ctx) => {
      started.add(ctx.runId);
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      throw ctx.signal.reason;
    }),
    after: task(async () => null, { upstream: ['hold'] }),
  },
});

const ALICE = basic('alice', 'alice-password-1');
const VICTOR = basic('victor', 'victor-password-1');
const HTML = { accept: 'text/html' };

describe('cancel from the API and the pages', function () {
  this.timeout(60_000);
  let dir: string;
  let s: TestServer;
  const { get } = apiClient(() => s);
  const post = (url: string, body: unknown, auth = ALICE) => get(url, json(body, auth));

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'wareflow-cancel-'));
    const file = path.join(dir, 'users');
    await writeUsers(
      file,
      new Map([
        ['alice', { role: 'operator' as const, hash: await hashPassword('alice-password-1') }],
        ['victor', { role: 'viewer' as const, hash: await hashPassword('victor-password-1') }],
      ]),
    );
    s = await startServer({ worker: true, dags: [demoDag, holdDag], env: { DASHBOARD_USERS_FILE: file } });
  });
  after(async () => {
    await s?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const holding = async () => {
    const run = await triggerRun(s.harness.engine, 'hold');
    await waitFor('hold to start', () => started.has(run.id));
    return run.id;
  };

  it('cancels a running run for an operator (200), aborting its task, and answers 409 once it has ended', async () => {
    const runId = await holding();
    const r = await post(`/api/dags/hold/runs/${runId}/cancel`, { reason: 'stuck on a lock' });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body).to.deep.include({ run_id: runId, dag_id: 'hold', run_state: 'cancelled' });
    expect(r.body.cancelled).to.have.deep.members([
      { task_id: 'hold', previous_state: 'running' },
      { task_id: 'after', previous_state: 'none' },
    ]);
    const run = await get(`/api/runs/${runId}`, { headers: { authorization: ALICE } });
    expect(run.body).to.include({
      state: 'cancelled',
      cancelled_by: 'alice',
      cancel_reason: 'stuck on a lock',
    });
    await waitFor('the aborted line', async () => {
      const logs = await get(`/api/runs/${runId}/tasks/hold/logs`, { headers: { authorization: ALICE } });
      return logs.body.lines.some((l: any) => l.fields.event === 'aborted');
    });

    const again = await post(`/api/runs/${runId}/cancel`, {});
    expect(again.status).to.equal(409);
    expect(again.body).to.deep.equal({
      error: `run ${runId} has already ended (cancelled): nothing to cancel`,
    });
  });

  it('cancels one task instance; downstream follows (cancelled), and the run ends cancelled', async () => {
    const runId = await holding();
    const r = await post(`/api/runs/${runId}/tasks/hold/cancel`, {});
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body).to.deep.include({ run_state: 'cancelled' });
    const run = await get(`/api/runs/${runId}`, { headers: { authorization: ALICE } });
    expect(run.body.task_instances.map((t: any) => [t.task_id, t.state, t.error])).to.have.deep.members([
      ['hold', 'cancelled', 'cancelled by alice'],
      ['after', 'cancelled', null],
    ]);
    expect(run.body).to.include({ cancelled_by: 'alice', cancel_reason: 'cancelled by alice' });
    const again = await post(`/api/dags/hold/runs/${runId}/tasks/hold/cancel`, {});
    expect(again.status).to.equal(409);
  });

  it('refuses a viewer (403), unknown ids (404), malformed ids and bodies (400), changing nothing', async () => {
    const runId = await holding();
    const cases: Array<[string, unknown, string, number, RegExp]> = [
      [`/api/runs/${runId}/cancel`, {}, VICTOR, 403, /victor is a viewer/],
      [`/api/runs/${runId}/tasks/hold/cancel`, {}, VICTOR, 403, /victor is a viewer/],
      ['/api/backfills/1/cancel', {}, VICTOR, 403, /victor is a viewer/],
      ['/api/runs/999999/cancel', {}, ALICE, 404, /run 999999 not found/],
      [`/api/dags/demo_etl/runs/${runId}/cancel`, {}, ALICE, 404, /of demo_etl not found/],
      [`/api/runs/${runId}/tasks/nope/cancel`, {}, ALICE, 404, /task 'nope'/],
      ['/api/backfills/999999/cancel', {}, ALICE, 404, /backfill 999999 not found/],
      ['/api/runs/abc/cancel', {}, ALICE, 400, /runId/],
      [`/api/runs/${runId}/cancel`, { reason: '  ' }, ALICE, 400, /reason/],
      [`/api/runs/${runId}/cancel`, { why: 'x' }, ALICE, 400, /why/],
    ];
    for (const [url, body, auth, status, message] of cases) {
      const r = await post(url, body, auth);
      expect(r.status, `${url} ${JSON.stringify(r.body)}`).to.equal(status);
      expect(r.body.error, url).to.match(message);
    }
    const anonymous = await fetch(`${s.url}/api/runs/${runId}/cancel`, { method: 'POST' });
    expect(anonymous.status).to.equal(401);
    const run = await get(`/api/runs/${runId}`, { headers: { authorization: ALICE } });
    expect(run.body.state).to.equal('running');
    await post(`/api/runs/${runId}/cancel`, {}); // leave nothing holding a worker slot
  });

  it('cancels a backfill through the API: 200, then 409', async () => {
    const b = await startBackfill(s.harness.engine, 'hold', {
      from: new Date('2025-02-01T00:00:00Z'),
      to: new Date('2025-02-03T00:00:00Z'),
      concurrency: 1,
    });
    const r = await post(`/api/backfills/${b.id}/cancel`, { include_running: true });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body).to.deep.equal({
      backfill_id: b.id,
      state: 'cancelled',
      cancelled_runs: [],
      left_running: [],
    });
    expect((await post(`/api/backfills/${b.id}/cancel`, {})).status).to.equal(409);
  });

  it('shows the cancel buttons to an operator only, and posts them with the CSRF token', async () => {
    const runId = await holding();
    const { jar, csrf } = await login(s.url, 'alice', 'alice-password-1');
    const page = await (
      await fetch(`${s.url}/dags/hold/runs/${runId}`, { headers: { ...HTML, cookie: jar.header() } })
    ).text();
    expect(page).to.contain(`action="/dags/hold/runs/${runId}/cancel"`);
    expect(page).to.contain(`action="/dags/hold/runs/${runId}/tasks/hold/cancel"`);
    const viewer = await login(s.url, 'victor', 'victor-password-1');
    const viewerPage = await (
      await fetch(`${s.url}/dags/hold/runs/${runId}`, { headers: { ...HTML, cookie: viewer.jar.header() } })
    ).text();
    expect(viewerPage).not.to.contain('/cancel"');

    const form = (extra: Record<string, string> = {}) => ({
      method: 'POST',
      redirect: 'manual' as const,
      headers: { ...HTML, 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
      body: new URLSearchParams({ _csrf: csrf, ...extra }),
    });
    const noCsrf = await fetch(`${s.url}/dags/hold/runs/${runId}/cancel`, {
      ...form(),
      body: new URLSearchParams({}),
    });
    expect(noCsrf.status).to.equal(403);
    const posted = await fetch(
      `${s.url}/dags/hold/runs/${runId}/tasks/hold/cancel`,
      form({ reason: 'by hand' }),
    );
    expect(posted.status).to.equal(303);
    expect(decodeURIComponent(posted.headers.get('location')!)).to.contain('cancelled hold (run cancelled)');
    const twice = await fetch(`${s.url}/dags/hold/runs/${runId}/cancel`, form());
    expect(twice.status).to.equal(303);
    expect(decodeURIComponent(twice.headers.get('location')!)).to.contain('has already ended (cancelled)');

    const dagPage = await (
      await fetch(`${s.url}/dags/hold`, { headers: { ...HTML, cookie: jar.header() } })
    ).text();
    expect(dagPage).to.contain('state-cancelled');
  });
});
