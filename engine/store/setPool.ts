import type { Knex } from 'knex';

/**
 * Sets a pool's slots (null: unlimited), and its description when one is given; creates the row
 * if the pool had none. Returns the slots it had before (undefined for a new row).
 */
export async function setPool(
  knex: Knex | Knex.Transaction,
  pool: { name: string; slots: number | null; description?: string; by: string },
): Promise<{ previous: number | null | undefined }> {
  const { rows } = await knex.raw(
    `WITH old AS (SELECT slots FROM orchestrator.pools WHERE name = ?),
     up AS (
       INSERT INTO orchestrator.pools AS p (name, slots, description, updated_at, updated_by)
       VALUES (?, ?, ?, now(), ?)
       ON CONFLICT (name) DO UPDATE
         SET slots = EXCLUDED.slots, description = coalesce(EXCLUDED.description, p.description),
             updated_at = now(), updated_by = EXCLUDED.updated_by
       RETURNING name)
     SELECT (SELECT count(*) FROM old)::int AS existed, (SELECT slots FROM old) AS previous
       FROM up`,
    [pool.name, pool.name, pool.slots, pool.description ?? null, pool.by],
  );
  const row = rows[0] as { existed: number; previous: number | null };
  return { previous: row.existed > 0 ? row.previous : undefined };
}

/** Adds a row, unlimited, for each pool DAG code names that has none (operators' rows are kept). */
export async function syncPools(knex: Knex | Knex.Transaction, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  await knex.raw(
    `INSERT INTO orchestrator.pools (name)
     SELECT unnest(?::text[]) ON CONFLICT (name) DO NOTHING`,
    [[...names]],
  );
}
