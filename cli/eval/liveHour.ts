/**
 * The labelled live hour of `wareflow eval alerts`: after the labelled year, one hour of the live
 * feed (`liveEvents`, at the catalogue's natural rate, so event time is simulated time) with
 * labelled incidents injected, through the real stream pipeline on the in-memory broker, and the
 * data-quality checks over its two half hours. Its labels join the year's in
 * `inventory.incident_labels`, so the same scoring judges both.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DataQualityGateError, dataQuality } from '../../dags/index.js';
import { runDagInProcess } from '../../engine/index.js';
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
import { dagServices, isolated } from './replay.js';

const HOUR_MS = 3_600_000;

export interface LiveHourOptions {
  skus: number;
  warehouses: number;
  seed: number;
  /** Incidents of each type per eligible pair per 30 simulated days (LABELS.md, "Live stream"). */
  rate: number;
  /**
   * The hour starts here: where the labelled history ends (`evalWindow`), so that no silent
   * stretch lies between them; it must be over by now.
   */
  start: Date;
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
  const start = options.start.getTime();
  if (start + HOUR_MS > Date.now())
    throw new Error(`the live hour from ${options.start.toISOString()} is not over yet`);
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
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'wareflow-eval-live-'));
  const evalConfig = isolated(config, dataDir);
  const broker = memoryBroker();
  const services = dagServices(evalConfig);
  const sidecar = await startStreaming(evalConfig, {
    broker,
    port: false,
    logger: createLogger({ level: 'error', name: 'eval-live' }),
  });
  let streamS = 0;
  try {
    const publisher = await broker.publisher();
    await publisher.send(topicNames(evalConfig).events, messages);
    const handled = () => sidecar.totals.applied + sidecar.totals.duplicates + sidecar.totals.dlq;
    while (handled() < messages.length) await new Promise((r) => setTimeout(r, 5));
    await publisher.close();
    streamS = (performance.now() - started) / 1000;
    // The data-quality checks over the hour, as the half-hourly schedule would have run them.
    const env = { db: knex, services: { inventory: services }, logger: createLogger({ level: 'silent' }) };
    for (const at of [start, start + HOUR_MS / 2]) {
      const result = await runDagInProcess(dataQuality, env, {
        start: new Date(at),
        end: new Date(at + HOUR_MS / 2),
      });
      for (const [task, err] of Object.entries(result.failed))
        if (!(err instanceof DataQualityGateError))
          throw new Error(`data_quality.${task} failed: ${err.message}`);
    }
  } finally {
    await sidecar.close();
    await services.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  return {
    from: new Date(start).toISOString(),
    to: new Date(start + HOUR_MS).toISOString(),
    events: messages.length,
    injected_events: kept.filter((e) => e.injected).length,
    labels: labels.length,
    stream_s: streamS,
  };
}
