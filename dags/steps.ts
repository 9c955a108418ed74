import type { TaskLogger } from '../engine/index.js';
import { SEVERITIES, type Severity } from '../inventory/alerts/index.js';

/** Figures a log line carries as fields, so a log search can filter by them. */
export type Figures = Record<string, string | number | boolean | null | readonly unknown[] | object>;

/** What a step did: a short sentence for the task page and the same numbers as fields. */
export interface StepReport {
  message: string;
  fields?: Figures;
  /** `warn` for a finding a person should look at (a failing rule). @defaultValue 'info' */
  level?: 'info' | 'warn';
}

/**
 * Runs one step of a task, then logs one line `"{name}: {message} ({ms} ms)"` with the
 * fields `step`, `ms` and the report's figures. A step that throws logs nothing here: the runner
 * logs the failed try with its error.
 */
export async function step<T>(
  log: TaskLogger,
  name: string,
  work: () => Promise<T> | T,
  report: (result: T) => StepReport,
): Promise<T> {
  const started = performance.now();
  const result = await work();
  const ms = Math.round(performance.now() - started);
  const { message, fields, level = 'info' } = report(result);
  log[level](`${name}: ${message} (${ms} ms)`, { step: name, ...fields, ms });
  return result;
}

/**
 * The interval a task covers, logged once at its start: `"interval: {what} [start, end)"`, with
 * `start` and `end` as ISO instants in the fields, and the caller's fields (the day, hour or week).
 */
export function logInterval(
  log: TaskLogger,
  what: string,
  interval: { start: Date; end: Date },
  fields: Figures = {},
): void {
  const start = interval.start.toISOString();
  const end = interval.end.toISOString();
  log.info(`interval: ${what} [${short(start)}, ${short(end)})`, { step: 'interval', ...fields, start, end });
}

/** '2026-04-14T02:00Z' for '2026-04-14T02:00:00.000Z': the message stays short, the field exact. */
const short = (iso: string) => iso.replace(/:00\.000Z$/, 'Z');

/** "3 pairs", "1 pair": counts in messages read as a person would write them. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** Alerts counted by severity, as a log line's field. */
export function countBySeverity(
  alerts: readonly { severity: Severity }[],
): Partial<Record<Severity, number>> {
  const counts: Partial<Record<Severity, number>> = {};
  for (const a of alerts) counts[a.severity] = (counts[a.severity] ?? 0) + 1;
  return counts;
}

/** "1 critical, 2 high", most severe first; "none" when every count is zero. */
export function severityText(counts: Partial<Record<Severity, number>>): string {
  const parts = [...SEVERITIES]
    .reverse()
    .filter((s) => (counts[s] ?? 0) > 0)
    .map((s) => `${counts[s]} ${s}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}
