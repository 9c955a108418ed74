import type { Knex } from 'knex';
import { RESERVATION_TYPES } from '../../inventory/events/index.js';
import { applyEvents, type LedgerEvent } from '../../streaming/store/index.js';

/**
 * Both ways into the ledger, as `[name, copyMinEvents]`: COPY for large batches (levels checked
 * per created row), INSERT for small. The ledger-write specs run each of their cases both ways.
 */
export const LEDGER_WRITE_PATHS = [
  ['binary COPY', 1],
  ['row-by-row insert', Infinity],
] as const;

const RESERVATIONS = [...RESERVATION_TYPES];

/**
 * `applyEvents` as the sidecar calls it in `trx`: with foreign-key triggers off, as its sessions
 * have them (the role is a superuser here), unless `triggers` keeps them on.
 */
export async function applyAsSidecar(
  trx: Knex.Transaction,
  events: LedgerEvent[],
  options: { partition: number | null; copyMinEvents: number; triggers?: boolean },
) {
  if (!options.triggers) await trx.raw('SET LOCAL session_replication_role = replica');
  return applyEvents(trx, events, RESERVATIONS, options.partition, options.copyMinEvents);
}
