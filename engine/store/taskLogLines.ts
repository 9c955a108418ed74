import type { TaskLogSource } from './types.js';

export interface TaskLogLine {
  runId: number;
  taskId: string;
  tryNumber: number;
  loggedAt: Date;
  level: string;
  message: string;
  fields: Record<string, unknown>;
  /** @defaultValue 'task' */
  source?: TaskLogSource;
}

/**
 * Log lines as a JSON array of rows for `jsonb_to_recordset`, numbered (`n`) in the order given so
 * a statement can store them in that order. NUL characters are dropped from
 * strings: PostgreSQL text and jsonb cannot hold them, and one in a log line must not keep a
 * try's result from being stored.
 */
export function taskLogRecords(lines: TaskLogLine[]): string {
  return JSON.stringify(
    lines.map((l, n) => ({
      n,
      run_id: l.runId,
      task_id: l.taskId,
      try_number: l.tryNumber,
      logged_at: l.loggedAt.toISOString(),
      level: l.level,
      message: l.message,
      fields: l.fields,
      source: l.source ?? 'task',
    })),
    (_key, value: unknown) => (typeof value === 'string' ? value.replaceAll('\0', '') : value),
  );
}
