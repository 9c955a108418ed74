import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  countProducts,
  ensureOpeningStock,
  generateMasterData,
  generateToPostgres,
  createLabelSink,
  naturalRate,
  publishToKafka,
} from '../../inventory/generator/index.js';
import { createKafka, createKnex, topicNames, type Config, type Logger } from '../../platform/index.js';

/** The demo data set `wareflow start` loads into an empty warehouse. */
export interface DemoSet {
  seed: number;
  skus: number;
  warehouses: number;
  days: number;
}

/** 1,000 (sku, warehouse) pairs and a year of their trade: about 1.7 M ledger rows. */
export const DEMO_DEFAULTS: DemoSet = { seed: 42, skus: 200, warehouses: 5, days: 365 };

/** Which demo this DATA_DIR's warehouse holds, so the next start feeds it without loading it again. */
const demoFile = (config: Pick<Config, 'DATA_DIR'>) => path.join(config.DATA_DIR, 'demo.json');

/**
 * Loads the demo into an empty warehouse (master data and a history ending now) and returns it.
 * A warehouse with products is left alone: the demo it holds is returned when this DATA_DIR loaded
 * it, and undefined when the data is someone else's (then no demo feed runs either).
 */
export async function ensureDemo(
  config: Config,
  demo: DemoSet,
  say: (line: string) => void,
): Promise<{ demo: DemoSet; loaded: boolean } | undefined> {
  const knex = createKnex(config.DATABASE_URL, { poolMax: 3, applicationName: 'wareflow-demo' });
  try {
    if ((await countProducts(knex)) > 0) {
      const held = await readDemoFile(config);
      return held && { demo: held, loaded: false };
    }
    // Before the load: a DATA_DIR that does not exist yet is made, one that cannot be fails now.
    await mkdir(config.DATA_DIR, { recursive: true });
    say(
      `loading a demo: ${demo.skus} products × ${demo.warehouses} warehouses, ${demo.days} days of trade …`,
    );
    const summary = await generateToPostgres(knex, { ...demo, connections: 2 });
    say(`demo loaded: ${summary.rows.toLocaleString('en')} transactions in ${summary.seconds.toFixed(1)} s`);
    await writeFile(demoFile(config), JSON.stringify(demo) + '\n');
    return { demo, loaded: true };
  } finally {
    await knex.destroy();
  }
}

async function readDemoFile(config: Config): Promise<DemoSet | undefined> {
  try {
    return JSON.parse(await readFile(demoFile(config), 'utf8')) as DemoSet;
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return undefined;
    throw err;
  }
}

export interface DemoFeed {
  /** Events per second: the demo catalogue's natural trade, so event time is wall time. */
  rate: number;
  close(): Promise<void>;
}

/**
 * Labelled incidents the demo feed injects: about this many of each type per pair per 30 days,
 * which for the default catalogue (1,000 pairs) is about three an hour, so the alert pages show
 * what the detectors catch within the first hour. Each is labelled in inventory.incident_labels.
 */
export const DEMO_INCIDENT_RATE = 0.3;
/**
 * Incidents the demo feed starts with its first events, so that a new user's alert pages show
 * detections within minutes of `npm start` rather than after the rate's first draw.
 */
export const DEMO_OPENING_INCIDENTS = 3;

/**
 * Publishes live events for the demo catalogue at its natural rate, continuing from the
 * warehouse's current levels, with ids never sent before (see `LiveOptions.idSpace`).
 */
export async function startDemoFeed(config: Config, demo: DemoSet, logger: Logger): Promise<DemoFeed> {
  const master = generateMasterData(demo);
  const knex = createKnex(config.DATABASE_URL, { poolMax: 1, applicationName: 'wareflow-demo' });
  let levels;
  try {
    ({ levels } = await ensureOpeningStock(knex, master, { seed: demo.seed }));
  } catch (err) {
    await knex.destroy();
    throw err;
  }
  const labels = createLabelSink(knex, (err) =>
    logger.warn({ err }, 'could not store incident labels; retrying'),
  );
  const rate = naturalRate(master);
  const stop = new AbortController();
  const kafka = createKafka(config.KAFKA_BROKERS, logger, 'wareflow-demo-feed');
  const topics = topicNames(config);
  const publishing = publishToKafka(kafka, topics.events, {
    seed: demo.seed,
    master,
    levels,
    rate,
    signal: stop.signal,
    // The sidecar, started first, has created these topics.
    fulfilmentTopics: { orders: topics.orders, shipments: topics.shipments, audit: topics.audit },
    injectAnomalies: { rate: DEMO_INCIDENT_RATE, openWith: DEMO_OPENING_INCIDENTS, onLabel: labels.write },
  }).catch((err: unknown) => logger.error({ err }, 'demo feed stopped; restart wareflow to resume it'));
  return {
    rate,
    close: async () => {
      stop.abort();
      await publishing;
      await labels.close();
      await knex.destroy();
    },
  };
}
