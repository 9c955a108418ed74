import type { Knex } from 'knex';
import { monthBounds, partitionName } from '../months.js';
import { qualified, type PartitionedTable } from '../tables.js';

/** How long DDL waits for a lock before giving up (and retrying on the next maintenance run). */
export const DDL_LOCK_TIMEOUT = '10s';

/**
 * Creates the partition of `month`, moving into it the rows the DEFAULT partition holds for that
 * month (PostgreSQL refuses a new partition while DEFAULT holds rows of its range). One
 * transaction: the rows are never in two places or none. Rows move partition to partition, so the
 * ledger's event-id registry is untouched. Returns the rows moved, or null when the partition
 * exists already.
 */
export async function createMonthPartition(
  knex: Knex,
  table: PartitionedTable,
  month: string,
): Promise<number | null> {
  const name = partitionName(table.name, month);
  const { from, to } = monthBounds(month);
  return knex.transaction(async (trx) => {
    await trx.raw(`SET LOCAL lock_timeout = '${DDL_LOCK_TIMEOUT}'`);
    const { rows } = await trx.raw<{ rows: Array<{ exists: boolean; with_default: boolean }> }>(
      'SELECT to_regclass(?) IS NOT NULL AS exists, to_regclass(?) IS NOT NULL AS with_default',
      [`${table.schema}.${name}`, `${qualified(table)}_default`],
    );
    if (rows[0]!.exists) return null;
    let moved = 0;
    if (rows[0]!.with_default) {
      await trx.raw(`CREATE TEMP TABLE partition_moving (LIKE ${qualified(table)}_default) ON COMMIT DROP`);
      const result = await trx.raw(
        `WITH moved AS (DELETE FROM ONLY ${qualified(table)}_default
                         WHERE ${table.column} >= ?::timestamptz AND ${table.column} < ?::timestamptz
                        RETURNING *)
         INSERT INTO partition_moving SELECT * FROM moved`,
        [from, to],
      );
      moved = result.rowCount ?? 0;
    }
    await trx.raw(
      `CREATE TABLE ${table.schema}.${name} PARTITION OF ${qualified(table)}
         FOR VALUES FROM ('${from}') TO ('${to}')`,
    );
    if (rows[0]!.with_default) {
      await trx.raw(`INSERT INTO ${table.schema}.${name} SELECT * FROM partition_moving`);
    }
    return moved;
  });
}
