import type { Knex } from 'knex';
import type { BackfillRow } from './types.js';

/** Records a new backfill of a DAG over [from, to]; its runs are created as it advances. */
export async function insertBackfill(
  knex: Knex | Knex.Transaction,
  b: {
    dagId: string;
    from: Date;
    to: Date;
    concurrency: number;
    reset: boolean;
    conf: Record<string, unknown>;
    total: number;
    /** The priority of its runs. @defaultValue -1 */
    priority?: number;
  },
): Promise<BackfillRow> {
  const [row] = await knex<BackfillRow>('orchestrator.backfills')
    .insert({
      dag_id: b.dagId,
      from_date: b.from,
      to_date: b.to,
      concurrency: b.concurrency,
      reset: b.reset,
      conf: JSON.stringify(b.conf) as unknown as Record<string, unknown>,
      total: b.total,
      priority: b.priority ?? -1,
    })
    .returning('*');
  return row!;
}
