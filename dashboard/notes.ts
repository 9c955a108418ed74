import type { DashboardEngine, RunRow } from './engine.js';

/** Runs with their note's text (`null` without one), read in one query. */
export async function withNotes<R extends Pick<RunRow, 'id'>>(
  engine: Pick<DashboardEngine, 'runNotes'>,
  runs: R[],
): Promise<Array<R & { note: string | null }>> {
  const notes = await engine.runNotes(runs.map((r) => r.id));
  return runs.map((r) => ({ ...r, note: notes.get(r.id)?.note ?? null }));
}
