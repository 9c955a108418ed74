import type { Knex } from 'knex';
import { PREPARED, preparedStatement, runPrepared } from './prepared.js';
import { taskLogRecords, type TaskLogLine } from './taskLogLines.js';

const APPEND_TASK_LOGS = preparedStatement(
  PREPARED.append_task_logs,
  `INSERT INTO orchestrator.task_logs
         (run_id, task_id, try_number, logged_at, level, message, fields, source)
       SELECT run_id, task_id, try_number, logged_at, level, message, coalesce(fields, '{}'),
              coalesce(source, 'task')
         FROM jsonb_to_recordset(?::jsonb)
           AS l(n int, run_id bigint, task_id text, try_number int, logged_at timestamptz,
                level text, message text, fields jsonb, source text)
        ORDER BY n`,
);

/**
 * Stores log lines of running tries, in one statement and in the order given: a try's lines are
 * written while it runs, so a reader sees them live and a killed worker loses only its last
 * moments. Lines are kept whatever becomes of the try.
 */
export async function appendTaskLogs(knex: Knex, lines: TaskLogLine[]): Promise<number> {
  if (lines.length === 0) return 0;
  const { rowCount } = await runPrepared(knex, APPEND_TASK_LOGS, [taskLogRecords(lines)]);
  return rowCount ?? 0;
}
