import { randomUUID } from 'node:crypto';
import type { Knex } from '../../platform/index.js';

/** mulberry32: a tiny seeded generator, so fixture data is the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TxRow {
  event_id?: string;
  sku: string;
  warehouse_id: string;
  event_type: string;
  quantity_change: number;
  occurred_at: Date | string;
  reference_id?: string | null;
  ingested_at?: Date | string;
}

export const DAY_MS = 86_400_000;

/** Midnight UTC of a 'YYYY-MM-DD' day, plus `hours`. */
export function at(day: string, hours = 0): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) + hours * 3_600_000);
}

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

export async function insertProducts(
  knex: Knex,
  rows: Array<{ sku: string; lead_time_days: number; unit_cost?: number; category?: string }>,
): Promise<void> {
  await knex('inventory.products').insert(
    rows.map((r) => ({
      sku: r.sku,
      name: `Product ${r.sku}`,
      category: r.category ?? 'general',
      unit_cost: r.unit_cost ?? 10,
      unit_price: (r.unit_cost ?? 10) * 1.5,
      lead_time_days: r.lead_time_days,
    })),
  );
}

export async function insertWarehouses(knex: Knex, ids: string[]): Promise<void> {
  await knex('inventory.warehouses').insert(
    ids.map((id, i) => ({
      warehouse_id: id,
      name: `Warehouse ${id}`,
      zone: `zone-${i % 3}`,
      capacity: 100_000,
    })),
  );
}

export async function insertTransactions(knex: Knex, rows: TxRow[]): Promise<void> {
  const full = rows.map((r) => ({ event_id: randomUUID(), reference_id: null, ...r }));
  for (let i = 0; i < full.length; i += 2000) {
    await knex('inventory.inventory_transactions').insert(full.slice(i, i + 2000));
  }
}

/**
 * Sets inventory_levels to what the ledger says (on-hand = Σ non-reservation changes, reserved =
 * Σ reservation changes) for every pair with transactions, as the streaming sidecar would have.
 */
export async function syncLevelsFromLedger(knex: Knex): Promise<void> {
  await knex.raw(`
    INSERT INTO inventory.inventory_levels (sku, warehouse_id, quantity_on_hand, quantity_reserved, last_event_at)
    SELECT sku, warehouse_id,
           coalesce(sum(quantity_change) FILTER (WHERE event_type NOT IN ('RESERVATION','RESERVATION_RELEASE')), 0),
           coalesce(sum(quantity_change) FILTER (WHERE event_type IN ('RESERVATION','RESERVATION_RELEASE')), 0),
           max(occurred_at)
    FROM inventory.inventory_transactions GROUP BY sku, warehouse_id
    ON CONFLICT (sku, warehouse_id) DO UPDATE SET quantity_on_hand = EXCLUDED.quantity_on_hand,
      quantity_reserved = EXCLUDED.quantity_reserved, last_event_at = EXCLUDED.last_event_at`);
}

export interface RandomHistory {
  skus: string[];
  warehouses: string[];
  transactions: number;
}

/**
 * Random but reproducible history: `skus` × `warehouses` pairs over the `days` days ending with
 * `lastDay`, with an opening restock, daily sales of varying intensity (some pairs never sell,
 * some sell only on the last day), restocks, returns, reservations and adjustments — then levels
 * synced from the ledger.
 */
export async function seedRandomHistory(
  knex: Knex,
  options: { skus: number; warehouses: number; days: number; lastDay: string; seed: number },
): Promise<RandomHistory> {
  const rand = seeded(options.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const skus = Array.from({ length: options.skus }, (_, i) => `SKU-${String(i + 1).padStart(4, '0')}`);
  const warehouses = Array.from({ length: options.warehouses }, (_, i) => `WH-${i + 1}`);
  await insertProducts(
    knex,
    skus.map((sku, i) => ({
      sku,
      lead_time_days: int(1, 14),
      unit_cost: int(1, 50),
      category: `cat-${i % 4}`,
    })),
  );
  await insertWarehouses(knex, warehouses);
  const firstDay = addDays(options.lastDay, -(options.days - 1));
  const rows: TxRow[] = [];
  let pairNo = 0;
  for (const sku of skus) {
    for (const warehouse_id of warehouses) {
      pairNo++;
      const kind = pairNo % 7; // 0: never sells, 1: sells only on the last day, else: random demand
      const intensity = rand() * 6;
      const tx = (event_type: string, quantity_change: number, day: string, ref?: string) =>
        rows.push({
          sku,
          warehouse_id,
          event_type,
          quantity_change,
          occurred_at: at(day, rand() * 23.9),
          reference_id: ref ?? null,
        });
      tx('RESTOCK', int(20, 400), firstDay, `PO-${pairNo}-0`);
      for (let d = 0; d < options.days; d++) {
        const day = addDays(firstDay, d);
        if (kind === 1 && day === options.lastDay) tx('SALE', -int(1, 30), day, `SO-${pairNo}-last`);
        if (kind >= 2) {
          const sales = Math.floor(rand() * intensity * (1 + d / options.days));
          for (let s = 0; s < sales; s++) tx('SALE', -int(1, 5), day, `SO-${pairNo}-${d}-${s}`);
        }
        if (rand() < 0.08) tx('RESTOCK', int(10, 200), day, `PO-${pairNo}-${d}`);
        if (rand() < 0.03) tx('RETURN', int(1, 3), day);
        if (rand() < 0.05) tx('RESERVATION', int(1, 10), day);
        if (rand() < 0.02) tx('RESERVATION_RELEASE', -1, day);
        if (rand() < 0.02) tx('ADJUSTMENT', int(-3, 3) || 1, day);
      }
    }
  }
  await insertTransactions(knex, rows);
  await syncLevelsFromLedger(knex);
  return { skus, warehouses, transactions: rows.length };
}
