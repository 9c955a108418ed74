/** Small helpers of the streaming bench. */
import { once } from 'node:events';
import net from 'node:net';
import type { Knex } from 'knex';
import { loadLevels, type MasterData } from '../inventory/generator/index.js';

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

/** The `Etc/GMT` zone whose local time is closest to 14:00 at `now`. */
export function busyZone(now: Date): string {
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
