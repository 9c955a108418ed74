import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import {
  insertFulfilmentBatch,
  readDailyFulfilmentMetrics,
  writeDailyFulfilmentMetrics,
  type FulfilmentEvent,
  type OrderEvent,
  type ShipmentEvent,
} from '../../inventory/fulfilment/index.js';
import { markChangedWindows, refreshMarkedWindows } from '../../streaming/pipeline/index.js';
import { insertProducts, insertWarehouses } from '../dags/fixtures.js';
import { apiClient, startServer, PUBLIC_READ, type TestServer } from './server.js';

const DAY_MS = 86_400_000;
const at = (day: string, hour: number) => new Date(Date.parse(`${day}T00:00:00Z`) + hour * 3_600_000);
/**
 * Today and yesterday as the server will see them, read when the spec's data is written, not when
 * mocha loads the file (a run that loads before midnight UTC and reaches this spec after it saw
 * yesterday's "today"); `earlierToday` is an instant of today that has passed, halfway from
 * midnight to then.
 */
let today: string;
let yesterday: string;
let earlierToday: Date;
function readClock(): void {
  const now = Date.now();
  today = new Date(now).toISOString().slice(0, 10);
  yesterday = new Date(now - DAY_MS).toISOString().slice(0, 10);
  const midnight = Date.parse(`${today}T00:00:00Z`);
  earlierToday = new Date(midnight + Math.floor((now - midnight) / 2));
}

/** Orders of yesterday at FC-1 (two, one late) and FC-2 (one backorder). */
function events(): FulfilmentEvent[] {
  const order = (
    id: string,
    warehouseId: string,
    eventType: OrderEvent['eventType'],
    hour: number,
    extra: Partial<OrderEvent> = {},
  ): OrderEvent => ({
    stream: 'orders',
    eventId: randomUUID(),
    eventType,
    orderId: id,
    warehouseId,
    occurredAt: at(yesterday, hour),
    lines: null,
    promisedDispatchAt: null,
    customerId: null,
    sku: null,
    quantity: null,
    reason: null,
    ...extra,
  });
  const shipment = (id: string, eventType: ShipmentEvent['eventType'], hour: number): ShipmentEvent => ({
    stream: 'shipments',
    eventId: randomUUID(),
    eventType,
    shipmentId: `SHP-${id}`,
    orderId: id,
    warehouseId: 'FC-1',
    carrier: 'DHL',
    occurredAt: at(yesterday, hour),
    trackingNumber: null,
    location: null,
    exceptionCode: null,
    detail: null,
  });
  const life = (id: string, warehouseId: string, promise: number, dispatch: number) => [
    order(id, warehouseId, 'ORDER_CREATED', 1, {
      lines: [{ sku: 'SKU-1', quantity: 4 }],
      promisedDispatchAt: at(yesterday, promise),
    }),
    order(id, warehouseId, 'LINE_RESERVED', 1, { sku: 'SKU-1', quantity: 4 }),
    order(id, warehouseId, 'LINE_PICKED', 3, { sku: 'SKU-1', quantity: 4 }),
    shipment(id, 'DISPATCHED', dispatch),
  ];
  return [
    ...life('ORDER-1', 'FC-1', 12, 5),
    ...life('ORDER-2', 'FC-1', 6, 8),
    order('ORDER-3', 'FC-2', 'ORDER_CREATED', 2, {
      lines: [{ sku: 'SKU-1', quantity: 2 }],
      promisedDispatchAt: at(today, 2),
    }),
  ];
}

/** An order of FC-2 created earlier today with two units, one reserved: today's, and a stream window's. */
function todaysEvents(): OrderEvent[] {
  const base = {
    stream: 'orders' as const,
    orderId: 'ORDER-TODAY',
    warehouseId: 'FC-2',
    occurredAt: earlierToday,
    lines: null,
    promisedDispatchAt: null,
    customerId: null,
    sku: null,
    quantity: null,
    reason: null,
  };
  return [
    {
      ...base,
      eventId: randomUUID(),
      eventType: 'ORDER_CREATED',
      lines: [{ sku: 'SKU-1', quantity: 2 }],
      promisedDispatchAt: new Date(earlierToday.getTime() + 86_400_000),
    },
    { ...base, eventId: randomUUID(), eventType: 'LINE_RESERVED', sku: 'SKU-1', quantity: 1 },
  ];
}

/** The fulfilment page and its API: the days the daily ETL stored, today so far, the stream's windows. */
describe('dashboard fulfilment', function () {
  let s: TestServer;
  before(async () => {
    readClock();
    s = await startServer({ env: PUBLIC_READ });
    const knex = s.harness.db.knex;
    await insertProducts(knex, [{ sku: 'SKU-1', lead_time_days: 5 }]);
    await insertWarehouses(knex, ['FC-1', 'FC-2']);
    await insertFulfilmentBatch(knex, events());
    await writeDailyFulfilmentMetrics(knex, yesterday);
    // Today's order as the stream stores it: the events with the windows they change marked,
    // then the refresh that recomputes those.
    const current = todaysEvents();
    await knex.transaction(async (trx) => {
      await insertFulfilmentBatch(trx, current);
      await markChangedWindows(
        trx,
        'orders',
        current.map((e) => e.eventId),
      );
    });
    await refreshMarkedWindows(knex);
  });
  after(async () => {
    await s?.close();
  });
  const { get } = apiClient(() => s);

  it('GET /api/fulfilment answers the stored days of every warehouse, and of one', async () => {
    const { status, body } = await get('/api/fulfilment?days=2');
    expect(status).to.equal(200);
    expect(body).to.include({ from: yesterday, to: today, warehouse_id: null });
    const stored = await readDailyFulfilmentMetrics(s.harness.db.knex, { fromDay: yesterday, toDay: today });
    expect(body.days).to.deep.equal(stored);
    expect(body.days.map((d: { warehouse_id: string }) => d.warehouse_id)).to.deep.equal(['FC-1', 'FC-2']);
    expect(body.days[0]).to.include({
      orders_created: 2,
      lines_picked: 2,
      orders_due: 2,
      dispatched_on_time: 1,
      on_time_dispatch_rate: 0.5,
    });
    expect(body.days[0].order_to_pick_p50_s).to.equal(2 * 3600);
    expect(body.days[1]).to.include({ orders_created: 1, backorders: 1, fill_rate: 0 });

    const one = await get('/api/fulfilment?days=2&warehouse_id=FC-2');
    expect(one.body.days.map((d: { warehouse_id: string }) => d.warehouse_id)).to.deep.equal(['FC-2']);
    expect((await get('/api/fulfilment?days=1')).body.days).to.deep.equal([]);
  });

  it('GET /api/fulfilment answers today so far and the stream windows of the last hours', async () => {
    const { status, body } = await get('/api/fulfilment?hours=24&warehouse_id=FC-2');
    expect(status).to.equal(200);
    expect(body.today.from).to.equal(`${today}T00:00:00.000Z`);
    expect(body.today.warehouses).to.have.length(1);
    expect(body.today.warehouses[0]).to.include({
      warehouse_id: 'FC-2',
      orders_created: 1,
      units_ordered: 2,
      units_reserved_same_day: 1,
      fill_rate: 0.5,
      backorders: 0,
    });
    const hourStart = Math.floor(earlierToday.getTime() / 3_600_000) * 3_600_000;
    expect(body.windows).to.include({ window_kind: 'tumbling_1h' });
    expect(body.windows.rows).to.have.length(1);
    expect(body.windows.rows[0]).to.include({
      window_kind: 'tumbling_1h',
      window_start: new Date(hourStart).toISOString(),
      window_end: new Date(hourStart + 3_600_000).toISOString(),
      warehouse_id: 'FC-2',
      orders_created: 1,
      fill_rate: 0.5,
    });
    const quarters = await get('/api/fulfilment?window_kind=tumbling_15m&hours=24');
    expect(quarters.body.windows.rows.map((w: { window_kind: string }) => w.window_kind)).to.deep.equal([
      'tumbling_15m',
    ]);
    expect((await get('/api/fulfilment?warehouse_id=FC-1')).body.windows.rows).to.deep.equal([]);

    // The OpenAPI document describes this body: its required fields are all there.
    const schemas = (await get('/api/openapi.json')).body.components.schemas;
    expect(body).to.include.all.keys(schemas.Fulfilment.required);
    expect(body.windows.rows[0]).to.include.all.keys(schemas.FulfilmentWindow.required);
    expect(body.today.warehouses[0]).to.include.all.keys(schemas.FulfilmentFigures.required);
  });

  it('answers a bad or unknown parameter with 400 naming it', async () => {
    for (const [query, field] of [
      ['days=0', 'days'],
      ['days=abc', 'days'],
      ['days=400', 'days'],
      ['warehouse_id=%3Cb%3E', 'warehouse_id'],
      ['warehouse=FC-1', 'warehouse'],
      ['window_kind=tumbling_1d', 'window_kind'],
      ['hours=0', 'hours'],
      ['hours=169', 'hours'],
    ] as const) {
      const { status, body } = await get(`/api/fulfilment?${query}`);
      expect(status, query).to.equal(400);
      expect(body.error, query).to.include(field);
    }
  });

  it('shows the period per warehouse and each day on /fulfilment', async () => {
    const response = await fetch(`${s.url}/fulfilment?days=7`, { headers: { accept: 'text/html' } });
    expect(response.status).to.equal(200);
    const html = await response.text();
    expect(html).to.include('<h1>Fulfilment</h1>');
    expect(html).to.match(/<tr data-warehouse="FC-1"><td>FC-1<\/td><td class="num">2<\/td>/);
    expect(html).to.include(`data-day="${yesterday}" data-warehouse="FC-2"`);
    expect(html).to.include('50.0 %');
    expect(html).to.include('2 h / 2 h');
  });

  it('shows today so far and the stream windows beside the days on /fulfilment', async () => {
    const response = await fetch(`${s.url}/fulfilment?window_kind=tumbling_15m`, {
      headers: { accept: 'text/html' },
    });
    expect(response.status).to.equal(200);
    const html = await response.text();
    expect(html).to.match(/<table id="fulfilment-today">[\s\S]*data-warehouse="FC-2"/);
    const quarter = Math.floor(earlierToday.getTime() / 900_000) * 900_000;
    expect(html).to.include(`data-window="${new Date(quarter).toISOString()}" data-warehouse="FC-2"`);
    expect(html).to.match(/<option value="tumbling_15m"\s+selected>15 minutes<\/option>/);
    expect(html.indexOf('id="fulfilment-windows"')).to.be.lessThan(html.indexOf('id="fulfilment-days"'));
  });
});
