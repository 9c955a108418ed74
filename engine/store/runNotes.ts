import type { Knex } from 'knex';

/** A run's note (`orchestrator.dag_run_notes`). */
export interface RunNoteRow {
  run_id: number;
  note: string;
  updated_by: string;
  updated_at: Date;
}

/** The notes of these runs (runs without one are absent). */
export async function runNotes(knex: Knex, runIds: readonly number[]): Promise<RunNoteRow[]> {
  if (runIds.length === 0) return [];
  return knex<RunNoteRow>('orchestrator.dag_run_notes')
    .whereIn('run_id', runIds as number[])
    .select('*');
}

/** The current note of a run, locked until the transaction ends (one writer at a time). */
export async function lockRunNote(trx: Knex.Transaction, runId: number): Promise<RunNoteRow | undefined> {
  return trx<RunNoteRow>('orchestrator.dag_run_notes').where('run_id', runId).forUpdate().first();
}
