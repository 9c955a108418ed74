import type { Knex } from 'knex';
import type { BackfillRow } from './types.js';

/** Changes a backfill's concurrency or state; `ended` stamps its end. */
export async function updateBackfill(
  knex: Knex | Knex.Transaction,
  id: number,
  patch: Partial<Pick<BackfillRow, 'concurrency' | 'state'>> & { ended?: boolean },
): Promise<void> {
  const { ended, ...rest } = patch;
  await knex('orchestrator.backfills')
    .where('id', id)
    .update({ ...rest, ...(ended ? { ended_at: knex.fn.now() } : {}) });
}
