import type { Knex } from 'knex';
import type { ArchiveColumn, PartitionedTable } from '../tables.js';

/** A column as the archive reads it: timestamps as epoch microseconds, 64-bit integers as text. */
function selected(c: ArchiveColumn): string {
  if (c.type === 'TIMESTAMP_MICROS')
    return `(extract(epoch FROM ${c.name}) * 1000000)::bigint::text AS ${c.name}`;
  if (c.type === 'INT64') return `${c.name}::text AS ${c.name}`;
  if (c.type === 'UTF8') return `${c.name}::text AS ${c.name}`;
  return c.name;
}

/**
 * Every row of one partition in batches of `batchSize`, in the order of the partition key, with
 * timestamps and 64-bit integers as decimal text (exact; the archive turns them into BigInt).
 * Reads through a cursor in one transaction, so memory holds one batch.
 */
export async function* readPartitionRows(
  knex: Knex,
  table: PartitionedTable,
  partition: string,
  batchSize: number,
): AsyncGenerator<Array<Record<string, unknown>>> {
  const trx = await knex.transaction();
  try {
    await trx.raw(
      `DECLARE partition_archive NO SCROLL CURSOR FOR
         SELECT ${table.archive.map(selected).join(', ')}
           FROM ONLY ${table.schema}.${partition} ORDER BY ${table.column}`,
    );
    for (;;) {
      const { rows } = await trx.raw<{ rows: Array<Record<string, unknown>> }>(
        `FETCH FORWARD ${Math.floor(batchSize)} FROM partition_archive`,
      );
      if (rows.length === 0) break;
      yield rows;
    }
    await trx.commit();
  } finally {
    if (!trx.isCompleted()) await trx.rollback();
  }
}
