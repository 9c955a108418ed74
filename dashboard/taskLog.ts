import type { RunRow, TaskInstanceRow, TaskLogLine } from './engine.js';
import { formatTime } from './views/format.js';

/** States in which a task instance's current try is still writing (or about to write) its log. */
const WRITING: ReadonlySet<string> = new Set(['queued', 'running', 'up_for_reschedule']);
const WAITING: ReadonlySet<string> = new Set(['none', 'scheduled']);

/**
 * Whether try `n` of a task can get no more log lines: a later try exists, or it is the current
 * try and the task is not queued, running or waiting for its next poke (a task cleared to `none`
 * in a running run is about to be queued again, so its try is not final yet). The task page stops
 * following the log then.
 */
export function tryIsFinal(ti: TaskInstanceRow, run: RunRow, n: number): boolean {
  if (n < ti.try_number) return true;
  // A task waiting to be queued (`none`) or for a pool slot (`scheduled`) is about to start try n.
  if (n > ti.try_number) return !WAITING.has(ti.state) || run.state !== 'running';
  if (WRITING.has(ti.state)) return false;
  return !(ti.state === 'none' && run.state === 'running');
}

/** One stored log line as text: `2026-01-01 02:00:00 INFO  message {"fields":1}` (app.js matches). */
export function logLineText(l: TaskLogLine): string {
  const fields = l.fields && Object.keys(l.fields).length > 0 ? ` ${JSON.stringify(l.fields)}` : '';
  return `${formatTime(l.logged_at)} ${l.level.toUpperCase().padEnd(5)} ${l.message}${fields}`;
}
