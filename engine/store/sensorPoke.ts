import type { Knex } from 'knex';

/**
 * Counts a sensor's poke as it starts and returns when its first poke (since the last clear)
 * started and which poke this is. Only the running try `tryNumber` counts: a try taken over or
 * cleared meanwhile changes nothing (and gets undefined).
 */
export async function sensorPoke(
  knex: Knex | Knex.Transaction,
  runId: number,
  taskId: string,
  tryNumber: number,
): Promise<{ firstPokeAt: Date; pokes: number } | undefined> {
  const { rows } = await knex.raw(
    `UPDATE orchestrator.task_instances
        SET first_poke_at = coalesce(first_poke_at, started_at, clock_timestamp()), pokes = pokes + 1
      WHERE run_id = ? AND task_id = ? AND try_number = ? AND state = 'running'
      RETURNING first_poke_at, pokes`,
    [runId, taskId, tryNumber],
  );
  const row = rows[0] as { first_poke_at: Date; pokes: number } | undefined;
  return row && { firstPokeAt: row.first_poke_at, pokes: row.pokes };
}
