import type { Knex } from 'knex';
import {
  ALERT_SOURCES,
  ALERT_SUBJECTS,
  AUDIT_POLICY_ALERT,
  LATE_DISPATCH_ALERT,
  RESOLUTIONS,
  SHIPMENT_EXCEPTION_ALERT,
  dedupKey,
  dedupKeySql,
  insertAlerts,
  loadOpenAlerts,
  severityRank,
  updateOpenAlerts,
  type FulfilmentAlertType,
  type NewAlert,
  type Severity,
} from '../../inventory/alerts/index.js';
import {
  CURRENT_RATE_WINDOW_MS,
  auditBreach,
  exceptionAlert,
  forecastDispatch,
  lateDispatchAlert,
  loadDispatchQueues,
  loadOverdueOrders,
  lockLateDispatch,
  overdueAlert,
  loadShipmentScans,
  loadWarehouseFlows,
  subtractWorkingTime,
  verdictOf,
  workingTimeBetween,
  type AuditEvent,
  type AuditPolicy,
  type DispatchForecast,
  type EventOf,
  type FulfilmentStream,
  type OrderEvent,
  type ShipmentEvent,
  type WorkCalendar,
} from '../../inventory/fulfilment/index.js';
import { uuidV5 } from './causeIds.js';
import { lateDispatchInstant, type WatermarkSources } from './lateDispatchInstant.js';
import type { MasterData } from './enrich.js';
import { IncidentLog, type AlertNews, type IncidentHolder } from './incidents.js';

/** What the fulfilment alerts need besides the chunk (CONTRACT.md §10). */
export interface FulfilmentAlertContext extends WatermarkSources {
  master: MasterData;
  policy: AuditPolicy;
  /** The topic the chunk came from. */
  topic: string;
}

const keyOf = (alertType: FulfilmentAlertType, subjectId: string) =>
  dedupKey({ source: ALERT_SOURCES.streaming, alertType, subjectId });

/**
 * Raises, folds and resolves the alerts of one fulfilment chunk, in its transaction, after its
 * new events were written: the lifecycle of inventory/alerts (one open incident per dedup key,
 * escalation, resolution) kept in memory for the chunk's subjects by `IncidentLog`, then written
 * (resolutions and updates first, new incidents after). Returns the news to publish and mail:
 * openings and escalations only. `events` are the chunk's newly applied events of `stream`.
 * Every chunk, of any of the three topics, then judges the orders past their promise at the
 * fulfilment watermark (`overdueOrders`).
 */
export async function raiseFulfilmentAlerts<S extends FulfilmentStream>(
  trx: Knex.Transaction,
  stream: S,
  events: ReadonlyArray<EventOf<S>>,
  partition: number,
  ctx: FulfilmentAlertContext,
): Promise<AlertNews[]> {
  if (events.length === 0) return [];
  const log = new IncidentLog();
  const now = Math.max(...events.map((e) => e.occurredAt.getTime()));
  // The instant at which "not dispatched, not cancelled" is known: the chunk's own time, at most.
  const judgedAt = await lateDispatchInstant(trx, ctx, ctx.topic, now);
  // Order chunks forecast, and shipment chunks resolve on dispatch, the orders another chunk may
  // judge late: they judge under the lock. An audit chunk only judges, and takes it only then.
  const locked = stream === 'orders' || (stream === 'shipments' && judgedAt !== null);
  if (locked) await lockLateDispatch(trx);
  if (stream === 'orders')
    await ordersChunk(trx, events as readonly OrderEvent[], partition, ctx, log, { now, judgedAt });
  else if (stream === 'shipments') await shipmentsChunk(trx, events as readonly ShipmentEvent[], log);
  else await auditChunk(trx, events as readonly AuditEvent[], ctx, log);
  if (judgedAt !== null) await overdueOrders(trx, log, judgedAt, locked);
  await updateOpenAlerts(trx, [...log.updates.values()]);
  log.settle(await insertAlerts(trx, log.opened));
  return log.news;
}

/** The open incidents of `keys`, as the lifecycle holds them. */
async function holderOf(trx: Knex.Transaction, keys: readonly string[]): Promise<IncidentHolder> {
  const open = await loadOpenAlerts(trx, keys);
  const incidents = new Map(
    [...open.values()].map((a) => [
      a.dedupKey,
      { alertId: a.alertId, rank: severityRank(a.severity), lastSeenAt: a.lastSeenAt.getTime() },
    ]),
  );
  return { incidents };
}

const byTime = <T extends { occurredAt: Date }>(xs: readonly T[]) =>
  [...xs].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());

function calendarOf(master: MasterData, warehouseId: string): WorkCalendar | undefined {
  const w = master.warehouse(warehouseId);
  return (
    w && {
      timezone: w.timezone,
      openMinute: w.openMinute,
      closeMinute: w.closeMinute,
      weekendOperation: w.weekendOperation,
    }
  );
}

/**
 * Orders: cancellations resolve; then every open order of this partition is forecast at the
 * chunk's event time — the forecast judges a partition's orders only in its chunks, where their
 * own events are complete up to then — and a packed order whose alert is open clears once it is
 * complete in time. A forecast `late` (the promise passed) counts only once the promise is at or
 * before `judgedAt`, and is raised at that instant: before, a dispatch the shipment consumer has
 * not applied yet may still be on its way.
 */
async function ordersChunk(
  trx: Knex.Transaction,
  events: readonly OrderEvent[],
  partition: number,
  ctx: FulfilmentAlertContext,
  log: IncidentLog,
  { now, judgedAt }: { now: number; judgedAt: number | null },
): Promise<void> {
  const queued = await loadDispatchQueues(trx, partition, new Date(now));
  const calendars = new Map<string, WorkCalendar>();
  for (const o of queued) {
    const calendar = calendarOf(ctx.master, o.warehouseId);
    if (calendar) calendars.set(o.warehouseId, calendar);
  }
  const recentFrom = (c: WorkCalendar) => subtractWorkingTime(c, now, CURRENT_RATE_WINDOW_MS);
  const flows = await loadWarehouseFlows(
    trx,
    [...calendars].map(([warehouseId, c]) => ({ warehouseId, recentFrom: new Date(recentFrom(c)) })),
    new Date(now),
  );
  const forecasts: DispatchForecast[] = [];
  const allowance = new Map<string, number>();
  for (const [warehouseId, flow] of flows) {
    const calendar = calendars.get(warehouseId)!;
    allowance.set(warehouseId, flow.pickToDispatchMs ?? 0);
    const recentWorkingMs = workingTimeBetween(calendar, recentFrom(calendar), now);
    const queue = queued.filter((o) => o.warehouseId === warehouseId);
    const mine = new Set(queue.filter((o) => o.mine).map((o) => o.orderId));
    for (const f of forecastDispatch(queue, { ...flow, recentWorkingMs }, calendar, now))
      if (mine.has(f.orderId)) forecasts.push(f);
  }
  const touched = events.filter((e) => e.eventType === 'ORDER_CANCELLED' || e.eventType === 'ORDER_PACKED');
  const holder = await holderOf(trx, [
    ...forecasts.map((f) => keyOf(LATE_DISPATCH_ALERT, f.orderId)),
    ...touched.map((e) => keyOf(LATE_DISPATCH_ALERT, e.orderId)),
  ]);
  for (const e of byTime(touched)) {
    const key = keyOf(LATE_DISPATCH_ALERT, e.orderId);
    const open = holder.incidents.get(key);
    if (!open) continue;
    if (e.eventType === 'ORDER_CANCELLED')
      log.resolve(holder, key, e.occurredAt.getTime(), RESOLUTIONS.cancelled);
    else {
      // Packed: it waits only for its dispatch now. A promise still ahead, and the usual wait for
      // the carrier within it with margin: clear. Else it stays open until it is dispatched.
      const promised = await promiseOf(trx, e.orderId);
      const t = e.occurredAt.getTime();
      const leaves = t + (allowance.get(e.warehouseId) ?? 0);
      if (promised !== null && verdictOf(promised, Math.max(now, leaves), now) === 'clear')
        log.resolve(holder, key, Math.max(now, t), RESOLUTIONS.cleared);
    }
  }
  for (const f of forecasts) {
    const key = keyOf(LATE_DISPATCH_ALERT, f.orderId);
    if (f.verdict === 'clear') log.resolve(holder, key, now, RESOLUTIONS.cleared);
    else if (f.verdict === 'at_risk')
      log.detect(holder, lateRow(f.orderId, f.warehouseId, now, lateDispatchAlert(f, now)), now);
    else if (f.verdict === 'late' && judgedAt !== null && f.promisedAt <= judgedAt) {
      const a = lateDispatchAlert(f, judgedAt);
      log.detect(holder, lateRow(f.orderId, f.warehouseId, judgedAt, a), judgedAt);
    }
  }
}

const lateRow = (orderId: string, warehouseId: string, at: number, a: Parameters<typeof row>[3]) =>
  row(LATE_DISPATCH_ALERT, orderId, uuidV5(`alert:${LATE_DISPATCH_ALERT}:${orderId}:${at}`), a, {
    sku: null,
    warehouseId,
  });

/**
 * Any order of any partition whose promise is at or before `judgedAt` (the fulfilment watermark,
 * at most the chunk's time), that has not left and is not cancelled, is late: it opens its alert,
 * high, at `judgedAt`, or escalates its forecast risk — a quiet partition's orders, and packed
 * ones waiting for the carrier. An order this chunk already judged or resolved (a cancellation)
 * keeps the chunk's word. Judged under `lockLateDispatch`: taken here, when not `locked` yet, only
 * once an order is found overdue.
 */
async function overdueOrders(
  trx: Knex.Transaction,
  log: IncidentLog,
  judgedAt: number,
  locked: boolean,
): Promise<void> {
  const load = () =>
    loadOverdueOrders(
      trx,
      new Date(judgedAt),
      dedupKeySql({
        source: ALERT_SOURCES.streaming,
        alertType: LATE_DISPATCH_ALERT,
        subjectId: 'o.order_id',
      }),
    );
  let overdue = await load();
  if (overdue.length === 0) return;
  if (!locked) {
    // Read again under the lock: another chunk may have judged them meanwhile.
    await lockLateDispatch(trx);
    overdue = await load();
    if (overdue.length === 0) return;
  }
  const holder = await holderOf(
    trx,
    overdue.map((o) => keyOf(LATE_DISPATCH_ALERT, o.orderId)),
  );
  for (const o of overdue) {
    const key = keyOf(LATE_DISPATCH_ALERT, o.orderId);
    if (log.updates.has(key) || log.opened.some((r) => r.dedupKey === key)) continue;
    log.detect(holder, lateRow(o.orderId, o.warehouseId, judgedAt, overdueAlert(o, judgedAt)), judgedAt);
  }
}

async function promiseOf(trx: Knex.Transaction, orderId: string): Promise<number | null> {
  const r = await trx('inventory.orders').select('promised_dispatch_at').where({ order_id: orderId }).first();
  return (r?.promised_dispatch_at as Date | null | undefined)?.getTime() ?? null;
}

/**
 * Shipments: an EXCEPTION opens (or repeats) its shipment's alert; a later scan in transit or the
 * delivery resolves it — also one that arrived before the exception did (its scans are read
 * back); a DISPATCHED resolves its order's late-dispatch risk.
 */
async function shipmentsChunk(
  trx: Knex.Transaction,
  events: readonly ShipmentEvent[],
  log: IncidentLog,
): Promise<void> {
  const excepted = [...new Set(events.filter((e) => e.eventType === 'EXCEPTION').map((e) => e.shipmentId))];
  const scans = await loadShipmentScans(trx, excepted);
  const seen = new Set(events.map((e) => e.eventId));
  const timeline = byTime([...events, ...scans.filter((s) => !seen.has(s.eventId))]);
  const holder = await holderOf(trx, [
    ...events.map((e) => keyOf(SHIPMENT_EXCEPTION_ALERT, e.shipmentId)),
    ...events.filter((e) => e.eventType === 'DISPATCHED').map((e) => keyOf(LATE_DISPATCH_ALERT, e.orderId)),
  ]);
  for (const e of timeline) {
    const t = e.occurredAt.getTime();
    const key = keyOf(SHIPMENT_EXCEPTION_ALERT, e.shipmentId);
    if (e.eventType === 'EXCEPTION' && 'carrier' in e) {
      const a = exceptionAlert(e);
      const alertId = uuidV5(`alert:${SHIPMENT_EXCEPTION_ALERT}:${e.eventId}`);
      log.detect(
        holder,
        row(SHIPMENT_EXCEPTION_ALERT, e.shipmentId, alertId, a, { sku: null, warehouseId: e.warehouseId }),
        t,
      );
    } else if (e.eventType === 'IN_TRANSIT' || e.eventType === 'DELIVERED') {
      const open = holder.incidents.get(key);
      if (open && t > open.lastSeenAt)
        log.resolve(
          holder,
          key,
          t,
          e.eventType === 'DELIVERED' ? RESOLUTIONS.delivered : RESOLUTIONS.backInTransit,
        );
    } else if (e.eventType === 'DISPATCHED' && 'orderId' in e) {
      log.resolve(holder, keyOf(LATE_DISPATCH_ALERT, e.orderId), t, RESOLUTIONS.dispatched);
    }
  }
}

/**
 * Audit: each change outside policy opens (or repeats) the alert of its entity; an entity's alert
 * resolves after `ANOMALY_QUIET_MS` of event time without another (here, or by the sweep).
 */
async function auditChunk(
  trx: Knex.Transaction,
  events: readonly AuditEvent[],
  ctx: FulfilmentAlertContext,
  log: IncidentLog,
): Promise<void> {
  const breaches = byTime(events).flatMap((e) => {
    const where = e.warehouseId ?? (e.entity === 'warehouse' ? e.entityId : null);
    const context = {
      unitCost: e.sku ? (ctx.master.product(e.sku)?.unitCost ?? null) : null,
      timezone: where ? (ctx.master.warehouse(where)?.timezone ?? null) : null,
    };
    const breach = auditBreach(e, context, ctx.policy);
    return breach ? [{ e, breach, where }] : [];
  });
  if (breaches.length === 0) return;
  const holder = await holderOf(
    trx,
    breaches.map(({ e }) => keyOf(AUDIT_POLICY_ALERT, `${e.entity}:${e.entityId}`)),
  );
  for (const { e, breach, where } of breaches) {
    const t = e.occurredAt.getTime();
    log.resolveQuiet(holder, t);
    const subjectId = `${e.entity}:${e.entityId}`;
    const alertId = uuidV5(`alert:${AUDIT_POLICY_ALERT}:${e.eventId}`);
    log.detect(
      holder,
      row(AUDIT_POLICY_ALERT, subjectId, alertId, breach, { sku: e.sku, warehouseId: where }),
      t,
    );
  }
}

function row(
  alertType: FulfilmentAlertType,
  subjectId: string,
  alertId: string,
  a: { severity: Severity; message: string; details: Record<string, unknown> },
  place: { sku: string | null; warehouseId: string | null },
): NewAlert {
  return {
    alertId,
    alertType,
    severity: a.severity,
    source: ALERT_SOURCES.streaming,
    ...place,
    subject: { type: ALERT_SUBJECTS[alertType], id: subjectId },
    message: a.message,
    details: a.details,
    dedupKey: keyOf(alertType, subjectId),
  };
}

export type { AlertNews };
