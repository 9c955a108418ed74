import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import {
  computeFulfilmentMetrics,
  insertFulfilmentEvents,
  loadWarehouseFlows,
  type OrderEvent,
  type ShipmentEvent,
} from '../../../inventory/fulfilment/index.js';
import { generateMasterData, writeMasterData } from '../../../inventory/generator/index.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Scan Direction'?: string;
  Plans?: PlanNode[];
}

const nodesOf = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodesOf)];

/**
 * The plans of the statements `fn` sends, as PostgreSQL would run them now: each is explained
 * (not run) with its bindings, through a connection of its own.
 */
async function plansOf(db: TestDatabase, fn: () => Promise<unknown>): Promise<PlanNode[][]> {
  const sent: Array<{ sql: string; bindings: unknown[] }> = [];
  const listen = (q: { sql: string; bindings?: unknown[] }) =>
    sent.push({ sql: q.sql, bindings: q.bindings ?? [] });
  db.knex.on('query', listen);
  try {
    await fn();
  } finally {
    db.knex.removeListener('query', listen);
  }
  const client = new pg.Client({ connectionString: db.url, options: '-c jit=off' });
  await client.connect();
  try {
    const plans: PlanNode[][] = [];
    for (const q of sent) {
      const { rows } = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
        `EXPLAIN (FORMAT JSON) ${q.sql}`,
        q.bindings,
      );
      plans.push(nodesOf(rows[0]!['QUERY PLAN'][0]!.Plan));
    }
    return plans;
  } finally {
    await client.end();
  }
}

/** A backward walk of the pick-time index: what a bare max(picked_at) per order may be planned as. */
const walksPickIndexBackwards = (nodes: PlanNode[]) =>
  nodes.some((n) => n['Index Name'] === 'order_lines_picked_idx' && n['Scan Direction'] === 'Backward');

describe('fulfilment queries on a young table (no statistics yet, as in a new warehouse)', function () {
  let db: TestDatabase;
  const now = new Date('2026-03-02T12:00:00Z');
  const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000);

  before(async function () {
    db = await createTestDatabase();
    const master = generateMasterData({ seed: 3, skus: 4, warehouses: 2 });
    await writeMasterData(db.knex, master);
    const warehouseId = master.warehouses[0]!.warehouse_id;
    const sku = master.products[0]!.sku;
    // Each line is created, reserved and picked by events of three batches, as a stream applies
    // them: every step updates the line, so the young table holds dead versions too.
    const steps: OrderEvent[][] = [[], [], []];
    const shipments: ShipmentEvent[] = [];
    const event = (orderId: string, eventType: OrderEvent['eventType'], occurredAt: Date): OrderEvent => ({
      stream: 'orders',
      eventId: randomUUID(),
      eventType,
      orderId,
      warehouseId,
      occurredAt,
      lines: null,
      promisedDispatchAt: null,
      customerId: null,
      sku: eventType === 'ORDER_CREATED' ? null : sku,
      quantity: eventType === 'ORDER_CREATED' ? null : 1,
      reason: null,
    });
    for (let i = 0; i < 2_000; i++) {
      const orderId = `ORDER-${i}`;
      const t = 600 - (i % 500);
      steps[0]!.push({
        ...event(orderId, 'ORDER_CREATED', at(t + 30)),
        lines: [{ sku, quantity: 1 }],
        promisedDispatchAt: at(t - 60),
      });
      steps[1]!.push(event(orderId, 'LINE_RESERVED', at(t + 20)));
      steps[2]!.push(event(orderId, 'LINE_PICKED', at(t)));
      shipments.push({
        stream: 'shipments',
        eventId: randomUUID(),
        eventType: 'DISPATCHED',
        shipmentId: `SHIP-${i}`,
        orderId,
        warehouseId,
        carrier: 'DHL',
        occurredAt: at(t - 10),
        trackingNumber: null,
        location: null,
        exceptionCode: null,
        detail: null,
      });
    }
    for (const batch of steps) await insertFulfilmentEvents(db.knex, 'orders', batch, 0);
    await insertFulfilmentEvents(db.knex, 'shipments', shipments, 0);
  });
  after(async () => {
    await db?.drop();
  });

  it("looks up a dispatched order's last pick by its key when it forecasts the pick queues", async () => {
    const warehouseId = (await db.knex('inventory.warehouses').orderBy('warehouse_id').first()).warehouse_id;
    let flow: unknown;
    const plans = await plansOf(db, async () => {
      const flows = await loadWarehouseFlows(db.knex, [{ warehouseId, recentFrom: at(60) }], now);
      flow = flows.get(warehouseId);
    });
    expect(flow, 'the flows have data to plan over').to.deep.include({ historyPicks: 2_000 });
    expect(plans).to.have.length(1);
    expect(walksPickIndexBackwards(plans[0]!)).to.equal(false);
  });

  it("looks up a dispatched order's last pick by its key when it computes the fulfilment metrics", async () => {
    let rows: unknown[] = [];
    const plans = await plansOf(db, async () => {
      rows = await computeFulfilmentMetrics(db.knex, { from: at(24 * 60), to: now });
    });
    expect(rows, 'the metrics have data to plan over').to.not.have.length(0);
    expect(plans.some(walksPickIndexBackwards)).to.equal(false);
  });
});
