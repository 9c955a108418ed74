import type { Knex } from 'knex';

export interface TaskLogLine {
  runId: number;
  taskId: string;
  tryNumber: number;
  loggedAt: Date;
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

/** Stores the log lines of a try in one statement. */
export async function insertTaskLogs(knex: Knex | Knex.Transaction, lines: TaskLogLine[]): Promise<void> {
  if (lines.length === 0) return;
  await knex.raw(
    `INSERT INTO orchestrator.task_logs (run_id, task_id, try_number, logged_at, level, message, fields)
     SELECT l.run_id, l.task_id, l.try_number, l.logged_at, l.level, l.message, coalesce(l.fields, '{}')
       FROM jsonb_to_recordset(?::jsonb)
         AS l(run_id bigint, task_id text, try_number int, logged_at timestamptz, level text, message text, fields jsonb)`,
    [taskLogRecords(lines)],
  );
}

/**
 * Log lines as a JSON array of rows for `jsonb_to_recordset`. NUL characters are dropped from
 * strings: PostgreSQL text and jsonb cannot hold them, and one in a log line must not keep a
 * try's result from being stored.
 */
export function taskLogRecords(lines: TaskLogLine[]): string {
  return JSON.stringify(
    lines.map((l) => ({
      run_id: l.runId,
      task_id: l.taskId,
      try_number: l.tryNumber,
      logged_at: l.loggedAt.toISOString(),
      level: l.level,
      message: l.message,
      fields: l.fields,
    })),
    (_key, value: unknown) => (typeof value === 'string' ? value.replaceAll('\0', '') : value),
  );
}
