import type { Knex } from 'knex';
import type { RunNoteRow } from './runNotes.js';

/** Sets a run's note, or removes it when `note` is null. */
export async function writeRunNote(
  knex: Knex | Knex.Transaction,
  runId: number,
  note: string | null,
  updatedBy: string,
): Promise<RunNoteRow | null> {
  if (note === null) {
    await knex('orchestrator.dag_run_notes').where('run_id', runId).delete();
    return null;
  }
  const { rows } = await knex.raw<{ rows: RunNoteRow[] }>(
    `INSERT INTO orchestrator.dag_run_notes (run_id, note, updated_by, updated_at) VALUES (?, ?, ?, now())
     ON CONFLICT (run_id) DO UPDATE
       SET note = EXCLUDED.note, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
     RETURNING *`,
    [runId, note, updatedBy],
  );
  return rows[0]!;
}
