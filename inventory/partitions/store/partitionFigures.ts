import type { Knex } from 'knex';
import type { PartitionedTable } from '../tables.js';

/** What an archive is checked against: the rows, and Σ of the partition key in whole epoch seconds. */
export interface PartitionFigures {
  rows: number;
  checksum: bigint;
}

/** The figures of one partition (attached or detached), read from the partition itself. */
export async function partitionFigures(
  knex: Knex,
  table: PartitionedTable,
  partition: string,
): Promise<PartitionFigures> {
  const { rows } = await knex.raw<{ rows: Array<{ n: string; checksum: string }> }>(
    `SELECT count(*) AS n, coalesce(sum(floor(extract(epoch FROM ${table.column}))), 0)::bigint AS checksum
       FROM ONLY ${table.schema}.${partition}`,
  );
  return { rows: Number(rows[0]!.n), checksum: BigInt(rows[0]!.checksum) };
}
