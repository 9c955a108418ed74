import type { Knex } from 'knex';
import type { BackfillRow } from './types.js';

/**
 * Changes a backfill's concurrency, priority, state or where it stands (`next_start`, `skipped`,
 * `waiting`); `ended` stamps its end.
 */
export async function updateBackfill(
  knex: Knex | Knex.Transaction,
  id: number,
  patch: Partial<
    Pick<BackfillRow, 'concurrency' | 'priority' | 'state' | 'next_start' | 'skipped' | 'waiting'>
  > & { ended?: boolean },
): Promise<void> {
  const { ended, waiting, ...rest } = patch;
  await knex('orchestrator.backfills')
    .where('id', id)
    .update({
      ...rest,
      ...(waiting ? { waiting: knex.raw('?::timestamptz[]', [waiting.map((d) => d.toISOString())]) } : {}),
      ...(ended ? { ended_at: knex.fn.now() } : {}),
    });
}
