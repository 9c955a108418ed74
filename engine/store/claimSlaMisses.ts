import type { Knex } from 'knex';

/**
 * Claims the runs of a DAG that missed their SLA (not finished `slaMs` after their interval
 * ended), marking each once so that only one scheduler e-mails it.
 */
export async function claimSlaMisses(
  knex: Knex,
  dagId: string,
  slaMs: number,
  now: Date,
): Promise<
  Array<{ id: number; logical_date: Date; data_interval_end: Date; state: string; ended_at: Date | null }>
> {
  const { rows } = await knex.raw(
    `UPDATE orchestrator.dag_runs SET sla_missed_at = clock_timestamp()
      WHERE dag_id = ? AND sla_missed_at IS NULL AND run_type = 'scheduled'
        AND data_interval_end + make_interval(secs => ?) < coalesce(ended_at, ?::timestamptz)
      RETURNING id, logical_date, data_interval_end, state, ended_at`,
    [dagId, slaMs / 1000, now],
  );
  return rows;
}
