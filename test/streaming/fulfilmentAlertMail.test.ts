import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { waitFor } from '../support/wait.js';
import { acknowledgeAlert } from '../../inventory/alerts/index.js';
import { PARTITION_SKEW_MS } from '../../streaming/index.js';
import { fulfilmentSidecar } from './support.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The notification path of the fulfilment alerts (inventory/fulfilment/CONTRACT.md §10): a high
 * alert is e-mailed when its incident opens or escalates to high, and never again for it — not
 * for a redelivered message, a repeat, an acknowledgement or its resolution. The mailer sends in
 * the order it is handed alerts, so a later e-mail about another subject (`sentinel`) proves the
 * earlier chunks have been mailed, or not, for good.
 */
describe('fulfilment alerts: e-mailed once per incident', function () {
  this.timeout(60_000);
  const f = fulfilmentSidecar({
    master: { skus: 2, warehouses: 2, unitCost: 100 },
    streaming: { emailIntervalMs: 0 },
  });
  const { B, at, send, alertsOf } = f;
  /** The text of every e-mail in the outbox (quoted-printable soft breaks undone). */
  const mails = async (): Promise<string[]> => {
    const dir = path.join(f.config.DATA_DIR, 'outbox');
    const files = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.eml'));
    return Promise.all(
      files.map(async (n) => (await readFile(path.join(dir, n), 'utf8')).replace(/=\r?\n/g, '')),
    );
  };
  const mailsAbout = async (id: string) => (await mails()).filter((t) => t.includes(id)).length;
  /** A LOST parcel of a shipment of its own (high): once its e-mail is out, every earlier one is. */
  const sentinel = async () => {
    const id = `SHP-${f.m.prefix}-S${randomUUID().slice(0, 8).toUpperCase()}`;
    await send('shipments', [shipment(id, 'EXCEPTION', B, { exceptionCode: 'LOST' })]);
    await waitFor(`the e-mail about ${id}`, async () => (await mailsAbout(id)) === 1);
  };
  const shipment = (id: string, type: string, time: number, extra: object = {}) => ({
    eventId: randomUUID(),
    eventType: type,
    shipmentId: id,
    orderId: id.replace('SHP-', 'ORDER-'),
    warehouseId: f.m.warehouses[0]!,
    carrier: 'UPS',
    timestamp: at(time),
    ...extra,
  });

  it('mails a lost parcel once: not for the redelivered message, a repeat after acknowledgement, or the delivery', async function () {
    const id = `SHP-${f.m.prefix}-L1`;
    const lost = shipment(id, 'EXCEPTION', B + HOUR, { exceptionCode: 'LOST' });
    await send('shipments', [shipment(id, 'DISPATCHED', B), lost]);
    await waitFor('the e-mail about the lost parcel', async () => (await mailsAbout(id)) === 1);
    const [open] = await alertsOf('SHIPMENT_EXCEPTION', id);
    expect(open).to.include({ severity: 'high', resolved_at: null });

    await send('shipments', [lost]); // redelivered: the same eventId
    expect(await acknowledgeAlert(f.db.knex, open!.alert_id, 'ops@test')).to.include({
      outcome: 'acknowledged',
    });
    await send('shipments', [shipment(id, 'EXCEPTION', B + 5 * HOUR, { exceptionCode: 'DAMAGED' })]);
    await send('shipments', [shipment(id, 'DELIVERED', B + 30 * HOUR)]);
    await sentinel();

    expect(await mailsAbout(id)).to.equal(1);
    const rows = await alertsOf('SHIPMENT_EXCEPTION', id);
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ occurrences: 2, resolution: 'delivered', acknowledged_by: 'ops@test' });
  });

  it('mails an order still waiting after its promise once, and not when its dispatch resolves it', async function () {
    const wh = f.m.warehouses[1]!;
    const id = `ORDER-${f.m.prefix}-P1`;
    const order = (type: string, time: number, extra: object = {}) => ({
      eventId: randomUUID(),
      eventType: type,
      orderId: id,
      warehouseId: wh,
      timestamp: at(time),
      ...extra,
    });
    await send('orders', [
      order('ORDER_CREATED', B - 5 * HOUR, {
        lines: [{ sku: f.m.skus[0]!, quantity: 1 }],
        promisedDispatchAt: at(B),
      }),
      order('LINE_RESERVED', B - 5 * HOUR, { sku: f.m.skus[0]!, quantity: 1 }),
      order('LINE_PICKED', B - 4 * HOUR, { sku: f.m.skus[0]!, quantity: 1 }),
      order('ORDER_PACKED', B - 3 * HOUR),
    ]);
    // A chunk after the promise opens its alert; a later one leaves it open: one e-mail.
    const other = (n: number, time: number) => ({
      ...order('ORDER_CREATED', time, {
        lines: [{ sku: f.m.skus[1]!, quantity: 1 }],
        promisedDispatchAt: at(time + 5 * DAY),
      }),
      orderId: `ORDER-${f.m.prefix}-O${n}`,
    });
    // Both topics applied to B + 1.5 h: a chunk after that judges at the fulfilment watermark.
    await send('orders', [other(1, B + 1.5 * HOUR)]);
    await send('shipments', [
      {
        ...shipment(`SHP-${f.m.prefix}-O1`, 'DISPATCHED', B + 1.5 * HOUR),
        orderId: `ORDER-${f.m.prefix}-O1`,
        warehouseId: wh,
      },
    ]);
    await send('orders', [other(2, B + 1.6 * HOUR)]);
    await waitFor('the e-mail about the late order', async () => (await mailsAbout(id)) === 1);
    await send('orders', [other(3, B + 3 * HOUR)]);
    await send('shipments', [
      { ...shipment(`SHP-${f.m.prefix}-P1`, 'DISPATCHED', B + 4 * HOUR), orderId: id, warehouseId: wh },
    ]);
    await sentinel();

    expect(await mailsAbout(id)).to.equal(1);
    const rows = await alertsOf('LATE_DISPATCH_RISK', id);
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ severity: 'high', resolution: 'dispatched' });
    expect(rows[0]!.opened_at.getTime()).to.equal(B + 1.5 * HOUR - PARTITION_SKEW_MS);
  });

  it('mails a high audit breach once while its entity stays in breach, and a new incident after 24 quiet hours', async function () {
    const wh = f.m.warehouses[0]!;
    const sku = f.m.skus[1]!;
    // 250 units of a product that costs 100 are worth 25,000: five times the 5,000 limit (high).
    const adjust = (time: number) => ({
      eventId: randomUUID(),
      eventType: 'MANUAL_ADJUSTMENT',
      actor: 'clerk-3@test',
      sku,
      warehouseId: wh,
      quantityChange: -250,
      referenceId: 'COUNT-3',
      reasonCode: 'WRITE_OFF',
      timestamp: at(time),
    });
    const entity = `stock:${sku}:${wh}`;
    await send('audit', [adjust(B)]);
    await waitFor('the e-mail about the adjustment', async () => (await mailsAbout(entity)) === 1);
    await send('audit', [adjust(B + 3 * HOUR)]);
    await sentinel();
    expect(await mailsAbout(entity)).to.equal(1);

    await send('audit', [adjust(B + 40 * HOUR)]);
    await waitFor('a second e-mail, for the new incident', async () => (await mailsAbout(entity)) === 2);
    const rows = await alertsOf('AUDIT_POLICY', entity);
    expect(rows.map((r) => r.resolution)).to.deep.equal(['quiet', null]);
    expect(rows[0]!.occurrences).to.equal(2);
    expect(rows[0]!.resolved_at!.getTime()).to.equal(B + 27 * HOUR);
  });
});
