import { expect } from 'chai';
import { defineDag, setPoolSlots, task, triggerRun } from '../../engine/index.js';
import { apiClient, basic, json, login, startServer, TOKEN, type TestServer } from './server.js';

/** Two tasks in a pool of their own, and one after them. */
const narrowDag = defineDag({
  id: 'narrow_etl',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tasks: {
    a: task(async () => null, { pool: 'narrow', priorityWeight: 3 }),
    b: task(async () => null, { pool: 'narrow' }),
    c: task(async () => null, { upstream: ['a', 'b'] }),
  },
});

const HTML = { accept: 'text/html' };
const BEARER = `Bearer ${TOKEN}`;

describe('pools in the dashboard and the API', function () {
  this.timeout(60_000);
  let s: TestServer;
  const { get } = apiClient(() => s);
  const send = (method: 'PUT' | 'PATCH', url: string, body: unknown, auth = BEARER) =>
    get(url, { ...json(body, auth), method });

  before(async () => {
    s = await startServer({ dags: [narrowDag] });
    await setPoolSlots(s.harness.engine, 'narrow', 0, { by: 'spec' });
  });
  after(async () => s?.close());

  it('says on the task page and in its JSON why a task waits', async () => {
    const run = await triggerRun(s.harness.engine, narrowDag.id);
    const ti = await get(`/api/runs/${run.id}/tasks/a`, { headers: { authorization: BEARER } });
    expect(ti.status).to.equal(200);
    expect(ti.body).to.include({ state: 'scheduled', pool: 'narrow', priority_weight: 4 });
    // `reason` and `message` as the API first answered them; `kind` and the numbers beside them.
    expect(ti.body.waiting).to.deep.include({
      kind: 'pool_full',
      reason: 'pool_full',
      message: 'pool full (pool narrow: 0/0 slots)',
      pool: 'narrow',
      slots: 0,
      used: 0,
    });
    expect(ti.body.waiting_reason).to.equal(ti.body.waiting.message);
    const downstream = await get(`/api/runs/${run.id}/tasks/c`, { headers: { authorization: BEARER } });
    expect(downstream.body.waiting).to.deep.include({
      kind: 'upstream',
      reason: 'upstream',
      message: 'upstream: waiting for a (scheduled), b (scheduled) (trigger rule all_success)',
    });

    const page = await fetch(`${s.url}/dags/narrow_etl/runs/${run.id}/tasks/a`, {
      headers: { ...HTML, authorization: basic() },
    });
    const html = await page.text();
    expect(page.status).to.equal(200);
    expect(html).to.match(
      /<p class="waiting" id="waiting-reason" data-kind="pool_full">\s*<strong>Waiting:<\/strong> pool full \(pool narrow: 0\/0 slots\)\s*<\/p>/,
    );
    const runPage = await fetch(`${s.url}/dags/narrow_etl/runs/${run.id}`, {
      headers: { ...HTML, authorization: basic() },
    });
    expect(await runPage.text()).to.include('data-kind="pool_full">pool full (pool narrow: 0/0 slots)<');
  });

  it('lists the pools in JSON and sets slots with PUT and PATCH for an operator, audited', async () => {
    const list = await get('/api/pools', { headers: { authorization: BEARER } });
    expect(list.status).to.equal(200);
    const names = (list.body.pools as Array<{ name: string }>).map((p) => p.name);
    expect(names).to.include.members(['default', 'narrow']);

    const put = await send('PUT', '/api/pools/narrow', { slots: 1, description: 'one at a time' });
    expect(put.status, JSON.stringify(put.body)).to.equal(200);
    expect(put.body).to.include({
      name: 'narrow',
      slots: 1,
      previous: 0,
      granted: 1,
      description: 'one at a time',
    });
    const patched = await send('PATCH', '/api/pools/narrow', { description: 'still one' });
    expect(patched.body).to.include({ slots: 1, description: 'still one', granted: 0 });
    const one = await get('/api/pools/narrow', { headers: { authorization: BEARER } });
    expect(one.body).to.include({ slots: 1, occupied_slots: 1 });

    const audit = await get('/api/audit?action=pool.set', { headers: { authorization: BEARER } });
    expect(audit.body.items[0]).to.include({ action: 'pool.set', source: 'api', outcome: 'ok' });
    expect(audit.body.items[0].detail).to.include({ pool: 'narrow', slots: 1, previous: 1 });
  });

  it('refuses bad bodies (400), unknown pools (404) and anonymous callers (401), changing nothing', async () => {
    const cases: Array<[string, unknown, number, RegExp]> = [
      ['/api/pools/narrow', { slots: -1 }, 400, /slots/],
      ['/api/pools/narrow', { slots: 2.5 }, 400, /slots/],
      ['/api/pools/narrow', { slots: 2, extra: true }, 400, /extra/],
      ['/api/pools/narrow', {}, 400, /slots/],
      ['/api/pools/nowhere', { slots: 2 }, 404, /pool 'nowhere' not found/],
    ];
    for (const [url, body, status, message] of cases) {
      const r = await send('PUT', url, body);
      expect(r.status, `${JSON.stringify(body)} ${JSON.stringify(r.body)}`).to.equal(status);
      expect(r.body.error).to.match(message);
    }
    expect((await send('PATCH', '/api/pools/narrow', {})).status).to.equal(400);
    const anonymous = await fetch(`${s.url}/api/pools/narrow`, { ...json({ slots: 9 }), method: 'PUT' });
    expect(anonymous.status).to.equal(401);
    const one = await get('/api/pools/narrow', { headers: { authorization: BEARER } });
    expect(one.body.slots).to.equal(1);
  });

  it('shows the pools page with a form per pool to an operator, which sets slots with the CSRF token', async () => {
    const { jar, csrf } = await login(s.url);
    const page = await fetch(`${s.url}/pools`, { headers: { ...HTML, cookie: jar.header() } });
    const html = await page.text();
    expect(page.status).to.equal(200);
    expect(html).to.match(/<tr data-pool="narrow"[^>]*>\s*<td>narrow<\/td>\s*<td>1<\/td>\s*<td>1\/1<\/td>/);
    expect(html).to.contain('action="/pools/narrow"');

    const form = (fields: Record<string, string>) => ({
      method: 'POST',
      redirect: 'manual' as const,
      headers: { ...HTML, 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
      body: new URLSearchParams(fields),
    });
    expect((await fetch(`${s.url}/pools/narrow`, form({ slots: '3' }))).status).to.equal(403);
    const posted = await fetch(`${s.url}/pools/narrow`, form({ _csrf: csrf, slots: '3' }));
    expect(posted.status).to.equal(303);
    expect(decodeURIComponent(posted.headers.get('location')!)).to.contain('pool narrow: 1 → 3 slots');
    const bad = await fetch(`${s.url}/pools/narrow`, form({ _csrf: csrf, slots: 'lots' }));
    expect(decodeURIComponent(bad.headers.get('location')!)).to.contain('pool narrow not changed: ');
    const unlimited = await fetch(`${s.url}/pools/narrow`, form({ _csrf: csrf, slots: '' }));
    expect(decodeURIComponent(unlimited.headers.get('location')!)).to.contain('3 → unlimited slots');
    const one = await get('/api/pools/narrow', { headers: { authorization: BEARER } });
    expect(one.body.slots).to.equal(null);
  });
});
