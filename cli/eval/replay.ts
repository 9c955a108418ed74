/**
 * Builds an eval data set in the database: a generated (optionally labelled) history replayed as
 * live traffic through the real stream pipeline, with the DAGs run over it as time passes.
 *
 * - Master data first; then every generated event, in event-time order, through the streaming
 *   sidecar (`startStreaming`) on the in-memory broker — the same pipeline code that runs on
 *   Kafka, without a Kafka round trip — so the stream's detectors see the history as live. The
 *   order, shipment and audit events go to their topics five minutes of event time at a time
 *   (`PARTITION_SKEW_MS`: the late-dispatch rule judges at the fulfilment watermark, which
 *   trusts a topic's partitions to be that close).
 * - Faults that are no event are applied in SQL at their instant: a DQ_ON_HAND_MISMATCH moves the
 *   stored level by `detail.missing_change` once every event before its start has been applied.
 * - The DAGs run in this process through the engine's runner (`runDagInProcess`), interleaved with
 *   the replay, so each run sees the warehouse as it stood at its time (the data-quality rules on
 *   levels read the current level): every 6 h of UTC `low_stock_alerts` (its schedule), and at each
 *   UTC midnight `data_quality` over the day that ended (one run a day instead of 48) and
 *   `daily_inventory_etl` for that day. A history that ends inside a day (`evalWindow`: an hour
 *   before the current one) ends with `low_stock_alerts` and `data_quality` over that part day; its
 *   ETL is not due, the day being unfinished.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Producer } from 'kafkajs';
import {
  dailyInventoryEtl,
  dataQuality,
  lowStockAlerts,
  DataQualityGateError,
  type DagServices,
} from '../../dags/index.js';
import { runDagInProcess, type Dag } from '../../engine/index.js';
import { FULFILMENT_STREAMS, toKafkaRecord, type FulfilmentEvent } from '../../inventory/fulfilment/index.js';
import {
  generateHistory,
  generateMasterData,
  historyWindow,
  OPENING_STOCK_REFERENCE,
  insertIncidentLabels,
  insertPurchaseOrders,
  writeMasterData,
  type IncidentLabel,
  type OrderRow,
  type TransactionRow,
} from '../../inventory/generator/index.js';
import {
  analyzeWarehouse,
  clearWarehouse,
  loadOpeningStock,
  shiftStoredLevel,
} from '../../inventory/backtest/index.js';
import {
  createLogger,
  createMailer,
  createRedis,
  topicNames,
  type Config,
  type Knex,
  type Logger,
} from '../../platform/index.js';
import { memoryBroker, PARTITION_SKEW_MS, startStreaming } from '../../streaming/index.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const SLICE_MS = 6 * HOUR_MS;
/**
 * The order, shipment and audit events are sent this much event time at a time: the fulfilment
 * watermark trusts the partitions of a topic that are not behind to be at most
 * `PARTITION_SKEW_MS` apart, as producers that publish as events happen keep them.
 */
const FULFILMENT_STEP_MS = PARTITION_SKEW_MS;

export interface DatasetOptions {
  days: number;
  skus: number;
  warehouses: number;
  seed: number;
  /** Injected incidents per type, pair and 30 days (0: a clean history). */
  rate: number;
  /** End of the history (exclusive), a whole UTC hour (`evalWindow`). */
  to: Date;
}

export interface DatasetTimings {
  generate_s: number;
  stream_s: number;
  dags_s: number;
  events: number;
  /** Order, shipment and audit events replayed besides. */
  fulfilment_events: number;
  labels: number;
  pairs: number;
  from: string;
  to: string;
}

export type Progress = (phase: string, done: number, total: number) => void;

/**
 * Where the replay stops to run the DAGs: every whole 6 h of UTC (so every midnight) after `from`,
 * and `to` itself.
 */
export function sliceEnds(from: number, to: number): number[] {
  const ends: number[] = [];
  for (let end = (Math.floor(from / SLICE_MS) + 1) * SLICE_MS; end < to; end += SLICE_MS) ends.push(end);
  ends.push(to);
  return ends;
}

/** The event as the producer of `inventory-events` would send it. */
function message(row: TransactionRow) {
  const event = {
    eventId: row.event_id,
    eventType: row.event_type,
    sku: row.sku,
    warehouseId: row.warehouse_id,
    quantityChange: row.quantity_change,
    timestamp: row.occurred_at.toISOString(),
    ...(row.reference_id === null ? {} : { referenceId: row.reference_id }),
    ...(row.notes === null ? {} : { notes: row.notes }),
  };
  return { key: `${row.sku}:${row.warehouse_id}`, value: JSON.stringify(event) };
}

/** The eval's own configuration: its outbox and archive in a temp dir, no SMTP, any event age. */
export function isolated(config: Config, dataDir: string): Config {
  return {
    ...config,
    DATA_DIR: dataDir,
    SMTP_URL: undefined,
    MAX_EVENT_AGE_DAYS: 100_000,
    KAFKA_GROUP_ID: `wareflow-eval-${path.basename(dataDir)}`,
  };
}

/** The DAG services with nothing leaving the machine: a producer that drops, mail to the temp outbox. */
export function dagServices(config: Config): DagServices & { close(): Promise<void> } {
  const redis = createRedis(config.REDIS_URL);
  const mailer = createMailer(config);
  const producer = { send: async () => [] } as unknown as Producer;
  return {
    config,
    redis,
    mailer,
    producer,
    async close() {
      mailer.close();
      await redis.quit();
    },
  };
}

/**
 * Replaces the warehouse's contents with a new eval data set (see the module comment) and returns
 * how long each phase took.
 */
export async function buildDataset(
  knex: Knex,
  config: Config,
  options: DatasetOptions,
  progress: Progress = () => undefined,
): Promise<DatasetTimings> {
  const verbose = config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace';
  const logger: Logger = createLogger({ level: verbose ? config.LOG_LEVEL : 'error', name: 'eval' });
  const generateStarted = performance.now();
  const { from, to } = historyWindow({ days: options.days, to: options.to });
  const master = generateMasterData({
    skus: options.skus,
    warehouses: options.warehouses,
    seed: options.seed,
  });
  await clearWarehouse(knex);
  await writeMasterData(knex, master);
  const generated: TransactionRow[] = [];
  const labels: IncidentLabel[] = [];
  const orders: OrderRow[] = [];
  const fulfilment: FulfilmentEvent[] = [];
  for (const batch of generateHistory({
    seed: options.seed,
    master,
    from,
    to,
    injectAnomalies: options.rate,
  })) {
    for (const r of batch.transactions) generated.push(r);
    labels.push(...batch.labels);
    orders.push(...batch.orders);
    fulfilment.push(...batch.fulfilment);
  }
  fulfilment.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  // The opening stock count is the warehouse's initial load, not live traffic: it goes straight
  // into the ledger and the levels, as a system going live imports its stock, before the stream.
  const isOpening = (r: TransactionRow) =>
    r.reference_id === OPENING_STOCK_REFERENCE && r.occurred_at.getTime() === from.getTime();
  await loadOpeningStock(knex, generated.filter(isOpening));
  const rows = generated.filter((r) => !isOpening(r));
  // Stable: the events of one pair at one instant keep the generator's order.
  rows.sort((a, b) => a.occurred_at.getTime() - b.occurred_at.getTime());
  await insertIncidentLabels(knex, labels);
  // The ERP's open orders (SPEC §5 on order), each counted from its order time on.
  await insertPurchaseOrders(knex, orders);
  const faults = labels
    .filter((l) => l.type === 'DQ_ON_HAND_MISMATCH' && l.sku !== null)
    .map((l) => ({
      at: l.start.getTime(),
      sku: l.sku!,
      warehouse: l.warehouse_id,
      change: Number(l.detail.missing_change),
    }))
    .sort((a, b) => a.at - b.at);
  const generate_s = (performance.now() - generateStarted) / 1000;

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'wareflow-eval-'));
  const evalConfig = isolated(config, dataDir);
  const broker = memoryBroker();
  const services = dagServices(evalConfig);
  let sidecar: Awaited<ReturnType<typeof startStreaming>> | undefined;
  let streamMs = 0;
  let dagMs = 0;
  try {
    sidecar = await startStreaming(evalConfig, { broker, port: false, logger });
    const s = sidecar;
    const publisher = await broker.publisher();
    const topics = topicNames(evalConfig);
    const topic = topics.events;
    let sent = 0;
    let next = 0;
    let nextFault = 0;
    let sentFulfilment = 0;
    let nextFulfilment = 0;
    let fulfilmentUntil = from.getTime();
    const handledFulfilment = () =>
      FULFILMENT_STREAMS.reduce((n, stream) => {
        const t = s.fulfilmentTotals[stream];
        return n + t.applied + t.duplicates + t.dlq;
      }, 0);
    /** Sends the order, shipment and audit events before `until`, and waits until they are applied. */
    const sendFulfilment = async (until: number) => {
      const start = nextFulfilment;
      while (nextFulfilment < fulfilment.length && fulfilment[nextFulfilment]!.occurredAt.getTime() < until)
        nextFulfilment++;
      if (nextFulfilment === start) return;
      const due = fulfilment.slice(start, nextFulfilment);
      for (const stream of FULFILMENT_STREAMS) {
        const mine = due.filter((e) => e.stream === stream);
        if (mine.length > 0) await publisher.send(topics[stream], mine.map(toKafkaRecord));
      }
      sentFulfilment += due.length;
      while (handledFulfilment() < sentFulfilment) await new Promise((r) => setTimeout(r, 2));
    };
    /** Sends every event before `until` and waits until the stream has applied it. */
    const replayUntil = async (until: number) => {
      const started = performance.now();
      const start = next;
      while (next < rows.length && rows[next]!.occurred_at.getTime() < until) next++;
      if (next > start) {
        await publisher.send(topic, rows.slice(start, next).map(message));
        sent += next - start;
        const handled = () => s.totals.applied + s.totals.duplicates + s.totals.dlq;
        while (handled() < sent) await new Promise((r) => setTimeout(r, 2));
      }
      while (fulfilmentUntil < until) {
        fulfilmentUntil = Math.min(until, fulfilmentUntil + FULFILMENT_STEP_MS);
        await sendFulfilment(fulfilmentUntil);
      }
      streamMs += performance.now() - started;
    };
    // The runner logs every failed task at error level; the data-quality gate fails by design on
    // the days with an injected duplicate, so the DAGs log only when asked to (LOG_LEVEL=debug).
    const dagLogger = verbose ? logger : createLogger({ level: 'silent' });
    const dagEnv = { db: knex, services: { inventory: services }, logger: dagLogger };
    const run = async (dag: Dag, start: number, end: number) => {
      const started = performance.now();
      const result = await runDagInProcess(dag, dagEnv, { start: new Date(start), end: new Date(end) });
      for (const [task, err] of Object.entries(result.failed))
        if (!(err instanceof DataQualityGateError))
          throw new Error(`${dag.id}.${task} failed: ${err.message}`);
      dagMs += performance.now() - started;
    };
    const ends = sliceEnds(from.getTime(), to.getTime());
    for (const [k, end] of ends.entries()) {
      const sliceStart = k === 0 ? from.getTime() : ends[k - 1]!;
      while (nextFault < faults.length && faults[nextFault]!.at < end) {
        const f = faults[nextFault++]!;
        await replayUntil(f.at);
        await shiftStoredLevel(knex, f.sku, f.warehouse, f.change);
      }
      await replayUntil(end);
      if (end % DAY_MS === 0) {
        await run(dataQuality, end - DAY_MS, end);
        await run(dailyInventoryEtl, end - DAY_MS + 2 * HOUR_MS, end + 2 * HOUR_MS);
      } else if (end === to.getTime()) {
        const dayStart = Math.max(Math.floor(end / DAY_MS) * DAY_MS, from.getTime());
        await run(dataQuality, dayStart, end);
      }
      await run(lowStockAlerts, sliceStart, end);
      progress('replay', k + 1, ends.length);
    }
    await publisher.close();
    await analyzeWarehouse(knex);
  } finally {
    await sidecar?.close();
    await services.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  return {
    generate_s,
    stream_s: streamMs / 1000,
    dags_s: dagMs / 1000,
    events: rows.length,
    fulfilment_events: fulfilment.length,
    labels: labels.length,
    pairs: master.products.length * master.warehouses.length,
    from: from.toISOString(),
    to: to.toISOString(),
  };
}
