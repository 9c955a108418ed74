import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import {
  ANOMALY_QUIET_MS,
  acknowledgeAlert,
  countOpenAlerts,
  dedupKey,
  insertAlerts,
  listAlertGroups,
  listAlertLifecycles,
  resolveQuietAlerts,
  type NewAlert,
  type Severity,
} from '../../inventory/alerts/index.js';
import * as migration0009 from '../../db/migrations/inventory/0009_alert_lifecycle.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const HOUR = 3_600_000;

/** A detection of `type` on S1 @ W1 at T0 + `hours`, caused by a fresh event. */
function detection(type: 'HIGH_VALUE' | 'STOCKOUT_RISK', severity: Severity, hours: number): NewAlert {
  const at = new Date(T0 + hours * HOUR);
  return {
    alertId: randomUUID(),
    alertType: type,
    severity,
    source: 'streaming',
    sku: 'S1',
    warehouseId: 'W1',
    message: `${type} ${severity} at +${hours} h`,
    details: { hours },
    dedupKey: dedupKey({ source: 'streaming', alertType: type, sku: 'S1', warehouseId: 'W1' }),
    openedAt: at,
    lastSeenAt: at,
  };
}

describe('inventory/alerts: the alert lifecycle on PostgreSQL', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  const rows = (type = 'HIGH_VALUE') => db.knex('analytics.alerts').where({ alert_type: type }).orderBy('id');

  beforeEach(async function () {
    db = await createTestDatabase();
  });
  afterEach(async function () {
    await db?.drop();
  });

  it('keeps one open alert per dedup key under repeated detection, counting the repeats', async function () {
    const first = detection('HIGH_VALUE', 'medium', 0);
    const [opened] = await insertAlerts(db.knex, [first]);
    expect(opened).to.include({ alert_id: first.alertId, opened: true });
    for (const h of [1, 2, 3]) {
      const [w] = await insertAlerts(db.knex, [detection('HIGH_VALUE', 'medium', h)]);
      expect(w).to.include({ alert_id: first.alertId, opened: false });
    }
    const stored = await rows();
    expect(stored).to.have.length(1);
    expect(stored[0]).to.include({ alert_id: first.alertId, occurrences: 4, severity: 'medium' });
    expect(stored[0].opened_at.getTime()).to.equal(T0);
    expect(stored[0].last_seen_at.getTime()).to.equal(T0 + 3 * HOUR);
    expect(await countOpenAlerts(db.knex)).to.equal(1);
  });

  it('keeps one open alert when two writers detect the same key at once', async function () {
    const a = detection('HIGH_VALUE', 'high', 0);
    const b = detection('HIGH_VALUE', 'high', 0.5);
    const trxA = await db.knex.transaction();
    const trxB = await db.knex.transaction();
    try {
      const [wa] = await insertAlerts(trxA, [a]);
      // B's insert waits on A's uncommitted row, then folds into it once A commits.
      const pendingB = insertAlerts(trxB, [b]);
      await new Promise((r) => setTimeout(r, 200));
      await trxA.commit();
      const [wb] = await pendingB;
      await trxB.commit();
      expect([wa!.opened, wb!.opened]).to.deep.equal([true, false]);
    } finally {
      if (!trxA.isCompleted()) await trxA.rollback();
      if (!trxB.isCompleted()) await trxB.rollback();
    }
    const stored = await rows();
    expect(stored.map((r) => [r.alert_id, r.occurrences])).to.deep.equal([[a.alertId, 2]]);
  });

  it('raises the severity on escalation and never lowers it; the message follows the worst detection', async function () {
    await insertAlerts(db.knex, [detection('STOCKOUT_RISK', 'medium', 0)]);
    await insertAlerts(db.knex, [detection('STOCKOUT_RISK', 'critical', 1)]);
    await insertAlerts(db.knex, [detection('STOCKOUT_RISK', 'high', 2)]);
    const [row] = await rows('STOCKOUT_RISK');
    expect(row).to.include({
      severity: 'critical',
      occurrences: 3,
      message: 'STOCKOUT_RISK critical at +1 h',
    });
    expect(row.last_seen_at.getTime()).to.equal(T0 + 2 * HOUR);
  });

  it('resolves a quiet anomaly alert at its last detection plus the quiet period, and a re-occurrence opens a new one', async function () {
    await insertAlerts(db.knex, [detection('HIGH_VALUE', 'high', 0), detection('STOCKOUT_RISK', 'high', 0)]);
    await insertAlerts(db.knex, [detection('HIGH_VALUE', 'high', 2)]);
    const quietEnd = T0 + 2 * HOUR + ANOMALY_QUIET_MS;
    expect(await resolveQuietAlerts(db.knex, { asOf: new Date(quietEnd - 1) })).to.equal(0);
    expect(await resolveQuietAlerts(db.knex, { asOf: new Date(quietEnd + 5 * HOUR) })).to.equal(1);
    const [resolved] = await rows();
    expect(resolved).to.include({ resolution: 'quiet' });
    expect(resolved.resolved_at.getTime()).to.equal(quietEnd);
    // The stock-out alert resolves on its condition, never by a quiet period.
    expect((await rows('STOCKOUT_RISK'))[0]).to.include({ resolved_at: null });

    const again = detection('HIGH_VALUE', 'high', 40);
    const [w] = await insertAlerts(db.knex, [again]);
    expect(w).to.include({ alert_id: again.alertId, opened: true });
    expect((await rows()).map((r) => r.resolved_at === null)).to.deep.equal([false, true]);

    // What was open when: the evaluation's view.
    expect(await countOpenAlerts(db.knex, { at: new Date(T0 + HOUR) })).to.equal(2);
    expect(await countOpenAlerts(db.knex, { at: new Date(quietEnd + 1) })).to.equal(1);
    expect(await countOpenAlerts(db.knex, { at: new Date(T0 + 40 * HOUR) })).to.equal(2);
    expect(await countOpenAlerts(db.knex, { source: 'streaming', alertType: 'HIGH_VALUE' })).to.equal(1);
    const lives = await listAlertLifecycles(db.knex, { from: new Date(T0 + 30 * HOUR) });
    expect(lives.map((l) => [l.alert_type, l.resolution])).to.deep.equal([
      ['STOCKOUT_RISK', null],
      ['HIGH_VALUE', null],
    ]);
  });

  it('acknowledges an open alert once, and leaves a resolved one as it is', async function () {
    const a = detection('HIGH_VALUE', 'high', 0);
    await insertAlerts(db.knex, [a]);
    const at = new Date(T0 + HOUR);
    const first = await acknowledgeAlert(db.knex, a.alertId, 'olga', at);
    expect(first.outcome).to.equal('acknowledged');
    const second = await acknowledgeAlert(db.knex, a.alertId, 'ivan');
    expect(second).to.have.property('outcome', 'already');
    const [row] = await rows();
    expect(row).to.include({ acknowledged_by: 'olga', resolved_at: null });
    expect(row.acknowledged_at.getTime()).to.equal(at.getTime());
    expect((await acknowledgeAlert(db.knex, randomUUID(), 'olga')).outcome).to.equal('missing');
    await resolveQuietAlerts(db.knex, { asOf: new Date(T0 + 100 * HOUR) });
    const b = detection('HIGH_VALUE', 'high', 200);
    await insertAlerts(db.knex, [b]);
    await resolveQuietAlerts(db.knex, { asOf: new Date(T0 + 300 * HOUR) });
    expect((await acknowledgeAlert(db.knex, b.alertId, 'olga')).outcome).to.equal('resolved');
  });

  it('groups alerts per pair with counts per type and the highest severity', async function () {
    await insertAlerts(db.knex, [
      detection('HIGH_VALUE', 'medium', 0),
      detection('STOCKOUT_RISK', 'critical', 0),
    ]);
    await insertAlerts(db.knex, [
      { ...detection('HIGH_VALUE', 'high', 1), sku: 'S2', dedupKey: 'HIGH_VALUE:S2:W1' },
    ]);
    const page = await listAlertGroups(db.knex, {}, { limit: 10, offset: 0 });
    expect(page.total).to.equal(2);
    expect(
      page.items.map((g) => [g.sku, g.total, g.max_severity, g.by_type, g.alerts.map((a) => a.alert_type)]),
    ).to.deep.equal([
      ['S1', 2, 'critical', { STOCKOUT_RISK: 1, HIGH_VALUE: 1 }, ['STOCKOUT_RISK', 'HIGH_VALUE']],
      ['S2', 1, 'high', { HIGH_VALUE: 1 }, ['HIGH_VALUE']],
    ]);
  });

  it('migration 0009 works on a populated table with duplicate open alerts: the newest stays open', async function () {
    await migration0009.down(db.knex);
    const key = 'HIGH_VALUE:S1:W1';
    const insert = (minutes: number, resolved = false) =>
      db.knex('analytics.alerts').insert({
        alert_type: 'HIGH_VALUE',
        severity: 'high',
        source: 'streaming',
        sku: 'S1',
        warehouse_id: 'W1',
        message: `+${minutes} min`,
        dedup_key: key,
        created_at: new Date(T0 + minutes * 60_000),
        resolved_at: resolved ? new Date(T0) : null,
      });
    for (const m of [0, 5, 10]) await insert(m);
    await insert(-60, true);
    await migration0009.up(db.knex);
    const stored = await db.knex('analytics.alerts').where({ dedup_key: key }).orderBy('created_at');
    expect(stored.map((r) => [r.message, r.resolution])).to.deep.equal([
      ['+-60 min', 'cleared'],
      ['+0 min', 'superseded'],
      ['+5 min', 'superseded'],
      ['+10 min', null],
    ]);
    expect(stored[3]).to.include({ occurrences: 3 });
    expect(stored[3].opened_at.getTime()).to.equal(T0);
    // And from now on the index keeps it at one.
    const [w] = await insertAlerts(db.knex, [{ ...detection('HIGH_VALUE', 'high', 1), dedupKey: key }]);
    expect(w).to.include({ alert_id: stored[3].alert_id, opened: false });
  });
});
