export interface TaskLogLine {
  runId: number;
  taskId: string;
  tryNumber: number;
  loggedAt: Date;
  level: string;
  message: string;
  fields: Record<string, unknown>;
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
