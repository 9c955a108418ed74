import type { Knex } from 'knex';
import { bind } from '../../db/index.js';
import { loadOpenOrders, type OpenOrder } from './loadOpenOrders.js';

export interface PairKey {
  sku: string;
  warehouseId: string;
}

export interface PairHistory {
  onHand: number;
  reserved: number;
  /** Recent ledger rows, oldest first: the last 100 of each event type plus everything since `recentFrom`. */
  recent: Array<{ eventId: string; eventType: string; quantityChange: number; occurredAt: Date }>;
  /** Units sold per UTC day ('YYYY-MM-DD') since `salesFrom`. */
  dailySales: Map<string, number>;
  /** The pair's open streaming alerts per dedup key. */
  openAlerts: Map<string, { alertId: string; severity: string; lastSeenAt: Date }>;
  /** Replenishment orders with units still to come (SPEC §5 on order), oldest first. */
  orders: OpenOrder[];
}

export const pairId = (sku: string, warehouseId: string): string => `${sku}\u0000${warehouseId}`;

/**
 * Everything the per-pair detectors of the streaming sidecar need, read back from the warehouse,
 * so that an instance taking over a partition (or restarting) continues where the previous owner
 * stopped. Five set-based statements for any number of pairs.
 */
export async function loadPairHistory(
  db: Knex,
  pairs: readonly PairKey[],
  options: {
    recentFrom: Date;
    salesFrom: Date;
    eventTypes: readonly string[];
    alertKeys: (pair: PairKey) => string[];
  },
): Promise<Map<string, PairHistory>> {
  const out = new Map<string, PairHistory>();
  if (pairs.length === 0) return out;
  const skus = pairs.map((p) => p.sku);
  const warehouses = pairs.map((p) => p.warehouseId);
  for (const p of pairs) {
    out.set(pairId(p.sku, p.warehouseId), {
      onHand: 0,
      reserved: 0,
      recent: [],
      dailySales: new Map(),
      openAlerts: new Map(),
      orders: [],
    });
  }
  const at = (sku: string, wh: string) => out.get(pairId(sku, wh))!;

  const [levels, recent, sales, alerts, orders] = await Promise.all([
    db.raw<{ rows: Array<{ sku: string; warehouse_id: string; on_hand: number; reserved: number }> }>(
      `SELECT l.sku, l.warehouse_id, l.quantity_on_hand AS on_hand, l.quantity_reserved AS reserved
         FROM unnest(?::text[], ?::text[]) AS p(sku, warehouse_id)
         JOIN inventory.inventory_levels l USING (sku, warehouse_id)`,
      bind(skus, warehouses),
    ),
    db.raw<{
      rows: Array<{
        sku: string;
        warehouse_id: string;
        event_id: string;
        event_type: string;
        quantity_change: number;
        occurred_at: Date;
      }>;
    }>(
      `SELECT p.sku, p.warehouse_id, t.event_id, t.event_type, t.quantity_change, t.occurred_at
         FROM unnest(?::text[], ?::text[]) AS p(sku, warehouse_id)
         CROSS JOIN LATERAL (
           (SELECT h.* FROM unnest(?::text[]) AS et(event_type)
              CROSS JOIN LATERAL (
                SELECT event_id::text, event_type, quantity_change, occurred_at
                  FROM inventory.inventory_transactions t
                 WHERE t.sku = p.sku AND t.warehouse_id = p.warehouse_id AND t.event_type = et.event_type
                 ORDER BY occurred_at DESC LIMIT 100) h)
           UNION
           (SELECT event_id::text, event_type, quantity_change, occurred_at
              FROM inventory.inventory_transactions t
             WHERE t.sku = p.sku AND t.warehouse_id = p.warehouse_id AND t.occurred_at >= ?::timestamptz)
         ) t
        ORDER BY t.occurred_at, t.event_id`,
      bind(skus, warehouses, options.eventTypes, options.recentFrom.toISOString()),
    ),
    db.raw<{ rows: Array<{ sku: string; warehouse_id: string; day: string; units: number }> }>(
      `SELECT t.sku, t.warehouse_id, to_char(t.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
              -sum(t.quantity_change)::int AS units
         FROM unnest(?::text[], ?::text[]) AS p(sku, warehouse_id)
         JOIN inventory.inventory_transactions t
           ON t.sku = p.sku AND t.warehouse_id = p.warehouse_id
        WHERE t.event_type = 'SALE' AND t.occurred_at >= ?::timestamptz
        GROUP BY 1, 2, 3`,
      bind(skus, warehouses, options.salesFrom.toISOString()),
    ),
    db.raw<{
      rows: Array<{
        sku: string;
        warehouse_id: string;
        dedup_key: string;
        alert_id: string;
        severity: string;
        last_seen_at: Date;
      }>;
    }>(
      `SELECT sku, warehouse_id, dedup_key, alert_id, severity, last_seen_at
         FROM analytics.alerts
        WHERE resolved_at IS NULL AND dedup_key = ANY(?::text[]) AND source = 'streaming'`,
      bind(pairs.flatMap(options.alertKeys)),
    ),
    loadOpenOrders(db, pairs, pairId),
  ]);
  for (const [key, list] of orders) out.get(key)!.orders = list;

  for (const r of levels.rows)
    Object.assign(at(r.sku, r.warehouse_id), { onHand: r.on_hand, reserved: r.reserved });
  for (const r of recent.rows) {
    at(r.sku, r.warehouse_id).recent.push({
      eventId: r.event_id,
      eventType: r.event_type,
      quantityChange: r.quantity_change,
      occurredAt: r.occurred_at,
    });
  }
  for (const r of sales.rows) at(r.sku, r.warehouse_id).dailySales.set(r.day, r.units);
  for (const r of alerts.rows) {
    out.get(pairId(r.sku, r.warehouse_id))?.openAlerts.set(r.dedup_key, {
      alertId: r.alert_id,
      severity: r.severity,
      lastSeenAt: r.last_seen_at,
    });
  }
  return out;
}
