import type { Knex } from 'knex';

/** One row of `orchestrator.audit_log`. */
export interface AuditRow {
  id: number;
  at: Date;
  actor: string;
  source: 'ui' | 'api' | 'cli';
  action: string;
  dag_id: string | null;
  run_id: number | null;
  task_id: string | null;
  detail: Record<string, unknown>;
  outcome: 'ok' | 'failed' | 'refused';
}

export type NewAuditRow = Omit<AuditRow, 'id' | 'at'>;

/**
 * Appends one audit entry, inside the caller's transaction when handed one. An entry naming a run
 * but no DAG gets the run's DAG.
 */
export async function insertAudit(knex: Knex | Knex.Transaction, row: NewAuditRow): Promise<AuditRow> {
  const { rows } = await knex.raw<{ rows: AuditRow[] }>(
    `INSERT INTO orchestrator.audit_log (actor, source, action, dag_id, run_id, task_id, detail, outcome)
     VALUES (?, ?, ?, COALESCE(?, (SELECT dag_id FROM orchestrator.dag_runs WHERE id = ?)), ?, ?, ?::jsonb, ?)
     RETURNING *`,
    [
      row.actor,
      row.source,
      row.action,
      row.dag_id,
      row.run_id,
      row.run_id,
      row.task_id,
      JSON.stringify(row.detail),
      row.outcome,
    ],
  );
  return rows[0]!;
}
