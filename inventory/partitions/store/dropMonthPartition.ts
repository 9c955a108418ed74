import type { Knex } from 'knex';
import { monthBounds } from '../months.js';
import { qualified, type PartitionedTable } from '../tables.js';
import { DDL_LOCK_TIMEOUT } from './createMonthPartition.js';

/** SQLSTATE of a lock not granted within lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Drops the partition of an archived month. For the ledger, the month's event ids leave the
 * registry first (their own transaction: a crash after it leaves the partition in place, which
 * the next run drops; the rows' own primary key still holds them to one). Then one short
 * transaction detaches and drops the partition. DETACH … CONCURRENTLY would avoid the brief
 * ACCESS EXCLUSIVE lock on the parent, but PostgreSQL refuses it on a table with a DEFAULT
 * partition, so the lock is bounded by `lock_timeout` and retried `attempts` times instead.
 * Returns the event ids removed from the registry.
 */
export async function dropMonthPartition(
  knex: Knex,
  table: PartitionedTable,
  partition: { name: string; month: string; attached: boolean },
  attempts = 5,
): Promise<{ eventIds: number }> {
  let eventIds = 0;
  if (table.eventIds) {
    const { from, to } = monthBounds(partition.month);
    const result = await knex.raw(
      `DELETE FROM inventory.ledger_event_ids WHERE occurred_at >= ?::timestamptz AND occurred_at < ?::timestamptz`,
      [from, to],
    );
    eventIds = result.rowCount ?? 0;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await knex.transaction(async (trx) => {
        await trx.raw(`SET LOCAL lock_timeout = '${DDL_LOCK_TIMEOUT}'`);
        if (partition.attached)
          await trx.raw(`ALTER TABLE ${qualified(table)} DETACH PARTITION ${table.schema}.${partition.name}`);
        await trx.raw(`DROP TABLE IF EXISTS ${table.schema}.${partition.name}`);
      });
      return { eventIds };
    } catch (err) {
      if ((err as { code?: string }).code !== LOCK_NOT_AVAILABLE || attempt >= attempts) throw err;
    }
  }
}
