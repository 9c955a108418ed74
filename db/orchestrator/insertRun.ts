import type { Knex } from 'knex';
import type { RunTypeName } from './types.js';

export interface NewRun {
  dagId: string;
  runType: RunTypeName;
  logicalDate: Date;
  dataIntervalStart: Date;
  dataIntervalEnd: Date;
  conf: Record<string, unknown>;
  backfillId?: number | null;
  tasks: Array<{ taskId: string; pool: string; maxTries: number }>;
}

/**
 * Inserts a run and its task instances (all in state `none`), or nothing when the DAG already has
 * a run for that logical date (the UNIQUE key makes creation exactly-once). Returns the new id.
 */
export async function insertRun(trx: Knex.Transaction, run: NewRun): Promise<number | undefined> {
  const { rows } = await trx.raw(
    `INSERT INTO orchestrator.dag_runs
       (dag_id, run_type, logical_date, data_interval_start, data_interval_end, conf, backfill_id)
     VALUES (?, ?, ?, ?, ?, ?::jsonb, ?)
     ON CONFLICT (dag_id, logical_date) DO NOTHING
     RETURNING id`,
    [
      run.dagId,
      run.runType,
      run.logicalDate,
      run.dataIntervalStart,
      run.dataIntervalEnd,
      JSON.stringify(run.conf),
      run.backfillId ?? null,
    ],
  );
  const id: number | undefined = rows[0]?.id;
  if (id === undefined) return undefined;
  await trx.raw(
    `INSERT INTO orchestrator.task_instances (run_id, dag_id, task_id, pool, max_tries)
     SELECT ?, ?, t.task_id, t.pool, t.max_tries
     FROM jsonb_to_recordset(?::jsonb) AS t(task_id text, pool text, max_tries int)`,
    [
      id,
      run.dagId,
      JSON.stringify(run.tasks.map((t) => ({ task_id: t.taskId, pool: t.pool, max_tries: t.maxTries }))),
    ],
  );
  return id;
}
