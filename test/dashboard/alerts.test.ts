import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { hashPassword, writeUsers } from '../../dashboard/index.js';
import { dedupKey, insertAlerts, type NewAlert, type Severity } from '../../inventory/alerts/index.js';
import { basic, json, login, startServer, type TestServer } from './server.js';

const HTML = { accept: 'text/html,application/xhtml+xml' };
const FORM = 'application/x-www-form-urlencoded';

function alert(type: 'HIGH_VALUE' | 'STOCKOUT_RISK', severity: Severity, sku: string, hours = 0): NewAlert {
  const at = new Date(Date.parse('2026-03-02T10:00:00Z') + hours * 3_600_000);
  return {
    alertId: randomUUID(),
    alertType: type,
    severity,
    source: 'streaming',
    sku,
    warehouseId: 'W1',
    message: `${type} on ${sku}`,
    details: {},
    dedupKey: dedupKey({ source: 'streaming', alertType: type, sku, warehouseId: 'W1' }),
    openedAt: at,
    lastSeenAt: at,
  };
}

/** The Alerts page and acknowledging an alert: grouped per pair, operators only for the button. */
describe('dashboard alerts', function () {
  this.timeout(60_000);
  let dir: string;
  let s: TestServer;
  const ids: Record<string, string> = {};
  const row = (id: string) => s.harness.db.knex('analytics.alerts').where({ alert_id: id }).first();

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'wareflow-alerts-'));
    const file = path.join(dir, 'users');
    await writeUsers(
      file,
      new Map([
        ['alice', { role: 'operator' as const, hash: await hashPassword('alice-password-1') }],
        ['victor', { role: 'viewer' as const, hash: await hashPassword('victor-password-1') }],
      ]),
    );
    s = await startServer({ worker: false, env: { DASHBOARD_USERS_FILE: file } });
    const knex = s.harness.db.knex;
    const stockout = alert('STOCKOUT_RISK', 'critical', 'A-1');
    const highValue = alert('HIGH_VALUE', 'medium', 'A-1');
    const other = alert('HIGH_VALUE', 'high', 'B-2');
    const gone = alert('HIGH_VALUE', 'low', 'C-3');
    await insertAlerts(knex, [stockout, highValue, other, gone]);
    // Repeats fold into the open alerts.
    await insertAlerts(knex, [
      alert('HIGH_VALUE', 'medium', 'A-1', 1),
      alert('HIGH_VALUE', 'medium', 'A-1', 2),
    ]);
    await knex('analytics.alerts')
      .where({ alert_id: gone.alertId })
      .update({ resolved_at: new Date(), resolution: 'quiet' });
    Object.assign(ids, {
      stockout: stockout.alertId,
      highValue: highValue.alertId,
      other: other.alertId,
      gone: gone.alertId,
    });
  });
  after(async () => {
    await s?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows open alerts grouped per pair by default, with counts per type, the highest severity and each alert’s life', async () => {
    const { jar } = await login(s.url, 'victor', 'victor-password-1');
    const page = await (await fetch(`${s.url}/alerts`, { headers: { cookie: jar.header() } })).text();
    const groups = [...page.matchAll(/<section class="alert-group" data-sku="([^"]*)"/g)].map((m) => m[1]);
    expect(groups).to.deep.equal(['A-1', 'B-2']);
    const a1 = page.slice(page.indexOf('data-sku="A-1"'), page.indexOf('data-sku="B-2"'));
    expect(a1).to.match(/<span class="sev sev-critical">critical<\/span>/);
    expect(a1).to.include('data-type="STOCKOUT_RISK">STOCKOUT_RISK 1<');
    expect(a1).to.include('data-type="HIGH_VALUE">HIGH_VALUE 1<');
    expect(a1).to.match(new RegExp(`data-alert-id="${ids.highValue}"[\\s\\S]*?<td class="num">3</td>`));
    expect(page).to.not.include('C-3');

    const resolved = await (
      await fetch(`${s.url}/alerts?status=resolved`, { headers: { cookie: jar.header() } })
    ).text();
    expect(resolved).to.include('data-sku="C-3"');
    expect(resolved).to.include('(quiet)');
    expect(resolved).to.not.include('data-sku="A-1"');
  });

  it('shows a viewer the acknowledgement state but no button, and refuses a viewer’s acknowledgement with 403', async () => {
    const { jar, csrf } = await login(s.url, 'victor', 'victor-password-1');
    const page = await (await fetch(`${s.url}/alerts`, { headers: { cookie: jar.header() } })).text();
    expect(page).to.not.include('/acknowledge');
    const form = await fetch(`${s.url}/alerts/${ids.stockout}/acknowledge`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': FORM, cookie: jar.header() },
      body: new URLSearchParams({ _csrf: csrf }),
    });
    expect(form.status).to.equal(403);
    const api = await fetch(
      `${s.url}/api/alerts/${ids.stockout}/acknowledge`,
      json({}, basic('victor', 'victor-password-1')),
    );
    expect(api.status).to.equal(403);
    expect(await row(ids.stockout!)).to.include({ acknowledged_at: null, acknowledged_by: null });
  });

  it('sends an anonymous acknowledgement to the login form (page) or answers 401 (API)', async () => {
    const form = await fetch(`${s.url}/alerts/${ids.stockout}/acknowledge`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': FORM, ...HTML },
      body: '',
    });
    expect(form.status).to.equal(303);
    expect(form.headers.get('location')).to.match(/^\/login\?next=/);
    const api = await fetch(`${s.url}/api/alerts/${ids.stockout}/acknowledge`, json({}));
    expect(api.status).to.equal(401);
    expect(await row(ids.stockout!)).to.include({ acknowledged_at: null });
  });

  it('lets an operator acknowledge from the page (with the CSRF token) and keeps the alert open', async () => {
    const { jar, csrf } = await login(s.url, 'alice', 'alice-password-1');
    const page = await (await fetch(`${s.url}/alerts`, { headers: { cookie: jar.header() } })).text();
    expect(page).to.include(`action="/alerts/${ids.stockout}/acknowledge"`);
    const post = (token: string) =>
      fetch(`${s.url}/alerts/${ids.stockout}/acknowledge`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': FORM, cookie: jar.header(), referer: `${s.url}/alerts?severity=critical` },
        body: new URLSearchParams({ _csrf: token }),
      });
    expect((await post('not-the-token')).status).to.equal(403);
    const done = await post(csrf);
    expect(done.status).to.equal(303);
    expect(done.headers.get('location')).to.match(/^\/alerts\?severity=critical&flash=STOCKOUT_RISK/);
    const stored = await row(ids.stockout!);
    expect(stored).to.include({ acknowledged_by: 'alice', resolved_at: null });
    expect(stored.acknowledged_at).to.be.an.instanceOf(Date);
    const after = await (await fetch(`${s.url}/alerts`, { headers: { cookie: jar.header() } })).text();
    expect(after).to.not.include(`action="/alerts/${ids.stockout}/acknowledge"`);
    expect(after).to.match(new RegExp(`data-alert-id="${ids.stockout}"[\\s\\S]*?by alice`));
  });

  it('acknowledges through the JSON API: 200 with the alert, 404 for an unknown id, 409 for a resolved one', async () => {
    const alice = basic('alice', 'alice-password-1');
    const ok = await fetch(`${s.url}/api/alerts/${ids.other}/acknowledge`, json({}, alice));
    expect(ok.status).to.equal(200);
    const body = (await ok.json()) as { outcome: string; alert: { acknowledged_by: string } };
    expect(body.outcome).to.equal('acknowledged');
    expect(body.alert.acknowledged_by).to.equal('alice');
    const again = await fetch(`${s.url}/api/alerts/${ids.other}/acknowledge`, json({}, alice));
    expect(((await again.json()) as { outcome: string }).outcome).to.equal('already');
    expect((await fetch(`${s.url}/api/alerts/${randomUUID()}/acknowledge`, json({}, alice))).status).to.equal(
      404,
    );
    expect((await fetch(`${s.url}/api/alerts/${ids.gone}/acknowledge`, json({}, alice))).status).to.equal(
      409,
    );
    expect((await fetch(`${s.url}/api/alerts/not-a-uuid/acknowledge`, json({}, alice))).status).to.equal(400);
  });

  it('groups the alerts about orders, shipments and audited entities per warehouse and kind, each with its subject', async () => {
    const knex = s.harness.db.knex;
    const subject = (type: 'LATE_DISPATCH_RISK' | 'SHIPMENT_EXCEPTION', id: string): NewAlert => ({
      ...alert('HIGH_VALUE', 'medium', 'X'),
      alertType: type,
      sku: null,
      warehouseId: 'W9',
      subject: { type: type === 'LATE_DISPATCH_RISK' ? 'order' : 'shipment', id },
      message: `${type} ${id}`,
      dedupKey: dedupKey({ source: 'streaming', alertType: type, subjectId: id }),
    });
    await insertAlerts(knex, [
      subject('LATE_DISPATCH_RISK', 'ORDER-1'),
      subject('LATE_DISPATCH_RISK', 'ORDER-2'),
      subject('SHIPMENT_EXCEPTION', 'SHP-7'),
    ]);
    const { jar } = await login(s.url, 'victor', 'victor-password-1');
    const page = await (await fetch(`${s.url}/alerts`, { headers: { cookie: jar.header() } })).text();
    const orders = page.slice(page.indexOf('data-subject-type="order"'));
    expect(orders).to.match(/orders at W9/);
    expect(orders.slice(0, orders.indexOf('</section>')))
      .to.include('ORDER-1')
      .and.include('ORDER-2');
    expect(page).to.match(/data-subject-type="shipment"[\s\S]*shipments at W9[\s\S]*SHP-7/);

    const api = await fetch(`${s.url}/api/alerts?subject_type=order`, {
      headers: { authorization: basic('victor', 'victor-password-1') },
    });
    expect(api.status).to.equal(200);
    const items = ((await api.json()) as { items: Array<Record<string, unknown>> }).items;
    expect(items.map((a) => a.subject_id).sort()).to.deep.equal(['ORDER-1', 'ORDER-2']);
    expect(items[0]).to.include({ subject_type: 'order', sku: null, warehouse_id: 'W9' });
  });
});
