/** Small helpers of the streaming bench. */
import { once } from 'node:events';
import net from 'node:net';
import type { Knex } from 'knex';
import {
  ensureOpeningStock,
  generateMasterData,
  loadLevels,
  writeMasterData,
  type MasterData,
} from '../inventory/generator/index.js';

/**
 * The levels PostgreSQL holds now, for traffic simulated after an earlier phase: a simulation
 * started from the opening stock sells pairs the stream holds at zero into negative stock, and
 * every such sale is a NEGATIVE_STOCK anomaly and an alert update (about a tenth of the steady
 * phase's events after 300,000 events), which is not the traffic the phase means to measure.
 */
export function storedLevels(knex: Knex, master: MasterData) {
  return loadLevels(
    knex,
    master.products.map((p) => p.sku),
    master.warehouses.map((w) => w.warehouse_id),
  );
}

/**
 * The streaming benches' catalogue (seed 7), written with its opening stock counted three hours
 * ago. Every warehouse keeps its local early afternoon of a working day while the events are
 * made: the busiest ordinary traffic, whatever the hour the benchmark runs at (in their own
 * zones, most sites are closed at some hours and the stream then keeps to the few open ones).
 */
export async function seedBusyCatalogue(knex: Knex, size: { skus: number; warehouses: number }) {
  const master = generateMasterData({ ...size, seed: 7 });
  const zone = busyZone(new Date());
  for (const w of master.warehouses) Object.assign(w, { timezone: zone, weekend_operation: true });
  await writeMasterData(knex, master);
  const { levels } = await ensureOpeningStock(knex, master, { at: new Date(Date.now() - 3 * 3_600_000) });
  return { master, levels, zone };
}

/** The `Etc/GMT` zone whose local time is closest to 14:00 at `now`. */
function busyZone(now: Date): string {
  let offset = Math.round(14 - (now.getUTCHours() + now.getUTCMinutes() / 60));
  if (offset > 14) offset -= 24;
  if (offset < -12) offset += 24;
  // POSIX-style names: Etc/GMT-10 is ten hours ahead of UTC.
  return offset === 0 ? 'Etc/UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0);
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  server.close();
  return port;
}

export function p99(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.99 * s.length) - 1)] ?? NaN;
}
