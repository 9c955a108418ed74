/**
 * The labelled live hour of `wareflow eval alerts`: after the labelled year, one hour of the live
 * feed (`liveEvents`, at the catalogue's natural rate, so event time is simulated time) with
 * labelled incidents injected, through the real stream pipeline on the in-memory broker. Its
 * labels join the year's in `inventory.incident_labels`, so the same scoring judges both.
 */
import {
  ensureOpeningStock,
  generateMasterData,
  insertIncidentLabels,
  isInjected,
  liveEvents,
  naturalRate,
  type IncidentLabel,
} from '../../inventory/generator/index.js';
import type { InventoryEvent } from '../../inventory/events/index.js';
import { createLogger, topicNames, type Config, type Knex } from '../../platform/index.js';
import { memoryBroker, startStreaming } from '../../streaming/index.js';

const HOUR_MS = 3_600_000;

export interface LiveHourOptions {
  skus: number;
  warehouses: number;
  seed: number;
  /** Incidents of each type per eligible pair per 30 simulated days (LABELS.md, "Live stream"). */
  rate: number;
  /** The hour starts here: the end of the labelled history, or an hour ago if that is later. */
  from: Date;
}

export interface LiveHourSummary {
  from: string;
  to: string;
  events: number;
  injected_events: number;
  labels: number;
  stream_s: number;
}

/** Replays one labelled live hour (see the module comment) and returns what it sent. */
export async function replayLiveHour(
  knex: Knex,
  config: Config,
  options: LiveHourOptions,
): Promise<LiveHourSummary> {
  const master = generateMasterData({
    skus: options.skus,
    warehouses: options.warehouses,
    seed: options.seed,
  });
  const { levels } = await ensureOpeningStock(knex, master, { seed: options.seed });
  const start = Math.max(options.from.getTime(), Date.now() - HOUR_MS);
  const labels: IncidentLabel[] = [];
  const events: Array<{ event: InventoryEvent; injected: boolean }> = [];
  for (const event of liveEvents({
    seed: options.seed,
    idSpace: `eval-live-${options.seed}`,
    master,
    levels,
    start,
    rate: naturalRate(master),
    injectAnomalies: { rate: options.rate, onLabel: (l) => labels.push(l) },
  })) {
    if (Date.parse(String(event.timestamp)) >= start + HOUR_MS) break;
    events.push({ event, injected: isInjected(event) });
  }
  // An incident still running when the hour ends has no label yet: its events are left out too
  // (one incident at a time per pair, so they are the pair's injected events after its last label).
  const labelledUntil = new Map<string, number>();
  for (const l of labels) {
    const key = `${l.sku}:${l.warehouse_id}`;
    labelledUntil.set(key, Math.max(labelledUntil.get(key) ?? -Infinity, (l.end ?? l.start).getTime()));
  }
  const kept = events.filter(({ event, injected }) => {
    const key = `${event.sku}:${event.warehouseId}`;
    return !injected || Date.parse(String(event.timestamp)) <= (labelledUntil.get(key) ?? -Infinity);
  });
  const messages = kept.map(({ event }) => ({
    key: `${event.sku}:${event.warehouseId}`,
    value: JSON.stringify(event),
  }));
  await insertIncidentLabels(knex, labels);

  const started = performance.now();
  const broker = memoryBroker();
  const sidecar = await startStreaming(
    { ...config, SMTP_URL: undefined, KAFKA_GROUP_ID: `wareflow-eval-live-${options.seed}` },
    { broker, port: false, logger: createLogger({ level: 'error', name: 'eval-live' }) },
  );
  try {
    const publisher = await broker.publisher();
    await publisher.send(topicNames(config).events, messages);
    const handled = () => sidecar.totals.applied + sidecar.totals.duplicates + sidecar.totals.dlq;
    while (handled() < messages.length) await new Promise((r) => setTimeout(r, 5));
    await publisher.close();
  } finally {
    await sidecar.close();
  }
  return {
    from: new Date(start).toISOString(),
    to: new Date(start + HOUR_MS).toISOString(),
    events: messages.length,
    injected_events: kept.filter((e) => e.injected).length,
    labels: labels.length,
    stream_s: (performance.now() - started) / 1000,
  };
}
