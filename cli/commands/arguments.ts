import { userInfo } from 'node:os';
import { parseWholeNumber } from '../../platform/index.js';
import { UsageError } from '../errors.js';

/**
 * Parses option `name` as a whole number from `min` to `max` (decimal digits only, see
 * `parseWholeNumber`), or throws a UsageError (exit 2) naming the option and the range.
 */
export function wholeNumber(name: string, min = 1, max = Number.MAX_SAFE_INTEGER) {
  const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
  return (value: string): number => {
    const n = parseWholeNumber(value, min, max);
    if (n === undefined) throw new UsageError(`${name} must be a whole number ${range} (got ${value})`);
    return n;
  };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A date argument: YYYY-MM-DD (a UTC day; as the end of a range it covers the whole day) or an
 * ISO-8601 instant with a zone.
 */
export function parseDate(name: string, value: string, endOfDay = false): Date {
  if (DAY.test(value)) {
    const d = new Date(`${value}T00:00:00Z`);
    if (!Number.isNaN(d.getTime()) && d.toISOString().startsWith(value)) {
      return endOfDay ? new Date(d.getTime() + 86_400_000 - 1) : d;
    }
  } else if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(value)) {
    const d = new Date(value);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new UsageError(`${name} must be a date YYYY-MM-DD or an ISO-8601 time with zone (got ${value})`);
}

/** A JSON object given on the command line (--conf). */
export function parseJsonObject(name: string, value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (err) {
    throw new UsageError(`${name} is not valid JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`${name} must be a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/** Any JSON value, or a one-line usage error naming the option. */
export function parseJson(name: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new UsageError(`${name} is not valid JSON: ${(err as Error).message}`);
  }
}

/** A run id argument. */
export function parseRunId(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`RUN_ID must be a run number (got ${value})`);
  return n;
}

/** A backfill id argument. */
export function parseBackfillId(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`BACKFILL_ID must be a backfill number (got ${value})`);
  return n;
}

/** Who runs this command, as the engine records it on what it changes (`cli:USER`). */
export function commandUser(): string {
  let name = process.env.USER;
  try {
    name ||= userInfo().username;
  } catch {
    // no passwd entry (a container's arbitrary uid)
  }
  return `cli:${name || 'unknown'}`;
}

/** Prints one JSON document on stdout (dates as ISO strings). */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

/** A plain text table for people. */
export function printTable(header: string[], rows: Array<Array<string | number | null | undefined>>): void {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  for (const r of cells) console.log(line(r));
}

export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
