import { InvalidInputError } from '../platform/index.js';
import { recordAudit, type AuditActor } from './audit.js';
import type { Engine } from './engine.js';
import {
  getRunRow,
  lockRunNote,
  runNotes as readNotes,
  writeRunNote,
  type RunNoteRow,
} from './store/index.js';

/** The longest note a run can have, in characters (code points, as PostgreSQL counts them). */
export const RUN_NOTE_MAX_CHARS = 4000;

export type RunNote = RunNoteRow;

/** A note's length as PostgreSQL's `char_length` counts it (an emoji is one character). */
export const noteLength = (note: string): number => [...note].length;

/**
 * Sets the note of a run (plain text; line ends become `\n`), or removes it when `note` is blank.
 * The change and its audit entry (`run.note`, with the old and new lengths, never the text) are
 * one transaction.
 */
export async function setRunNote(
  engine: Engine,
  runId: number,
  note: string,
  by: AuditActor,
): Promise<RunNote | null> {
  const text = note.replace(/\r\n?/g, '\n');
  if (noteLength(text) > RUN_NOTE_MAX_CHARS)
    throw new InvalidInputError(
      `a note has at most ${RUN_NOTE_MAX_CHARS} characters (got ${noteLength(text)})`,
    );
  const run = await getRunRow(engine.knex, runId);
  if (!run) throw new InvalidInputError(`unknown run ${runId}`);
  const saved = await engine.knex.transaction(async (trx) => {
    const before = await lockRunNote(trx, runId);
    const after = await writeRunNote(trx, runId, text.trim() === '' ? null : text, by.actor);
    await recordAudit(
      { knex: trx },
      {
        ...by,
        action: 'run.note',
        dagId: run.dag_id,
        runId,
        detail: {
          old_length: before ? noteLength(before.note) : 0,
          new_length: after ? noteLength(after.note) : 0,
        },
      },
    );
    return after;
  });
  engine.logger.info({ dag_id: run.dag_id, run_id: runId, by: by.actor }, 'run note set');
  return saved;
}

/** The notes of these runs, by run id. */
export async function getRunNotes(engine: Engine, runIds: readonly number[]): Promise<Map<number, RunNote>> {
  return new Map((await readNotes(engine.knex, runIds)).map((n) => [n.run_id, n]));
}
