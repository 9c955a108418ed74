import type { Knex } from 'knex';
import { PREPARED } from './prepared.js';

/**
 * Settings of one chunk's transaction, in one round trip.
 *
 * - No fsync wait at commit: offsets live in the same transaction as the rows, so if PostgreSQL
 *   itself crashes and loses the last commits, it loses their offsets with them and the partition
 *   is simply consumed again from the older offset. Effectively-once holds; only the
 *   at-least-once output topics may see a repeat.
 * - No per-row foreign-key triggers (`session_replication_role = replica`, as the generator's bulk
 *   load does) when the role is a superuser: `applyEvents` makes the same check once per
 *   referenced product and warehouse, with the same KEY SHARE locks, and every other row of the
 *   chunk refers to a pair the ledger rows just proved. This was a third of the ledger insert.
 *   Any other role keeps the triggers and simply checks twice. Lasts until the transaction ends.
 */
export async function prepareChunkTransaction(trx: Knex.Transaction): Promise<void> {
  await trx
    .raw(
      `SELECT set_config('synchronous_commit', 'off', true),
            CASE WHEN rolsuper THEN set_config('session_replication_role', 'replica', true) END
       FROM pg_roles WHERE rolname = current_user`,
    )
    .options(PREPARED.prepare_chunk);
}
