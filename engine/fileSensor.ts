import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import type { TaskContext, TaskDef, UpstreamOutputs, UpstreamSpec } from './dag.js';
import { sensor, type SensorOptions } from './sensor.js';

export interface FileSensorOptions<
  U extends UpstreamSpec,
  P extends z.ZodType<Record<string, unknown>>,
> extends Omit<SensorOptions<string[], U, P>, 'poke' | 'intervalMs' | 'timeoutMs'> {
  /** The directory to watch, or a function of the task's context that names it (from config). */
  directory: string | ((ctx: TaskContext<UpstreamOutputs<U>, z.output<P>>) => string);
  /**
   * File names to match: a glob (`*` any run of characters, `?` one) over the whole name, or a
   * regular expression. Names starting with `.` match only a pattern that starts with `.`.
   * @defaultValue '*'
   */
  pattern?: string | RegExp;
  /** Only files not modified for this long (a writer still appending is not picked up). @defaultValue 0 */
  minAgeMs?: number;
  /** @defaultValue 60000 */
  intervalMs?: number;
  /** @defaultValue 86400000 (a day) */
  timeoutMs?: number;
}

/**
 * A sensor that holds once a directory has at least one regular file matching `pattern`; its
 * output is the matching files' absolute paths, sorted by name. A missing directory is no match.
 * ```ts
 * const arrived = fileSensor({ directory: '/srv/drop', pattern: 'stock_*.csv', intervalMs: 30_000 });
 * ```
 */
export function fileSensor<
  const U extends UpstreamSpec = readonly [],
  P extends z.ZodType<Record<string, unknown>> = z.ZodType<Record<string, unknown>>,
>(options: FileSensorOptions<U, P>): TaskDef<string[], UpstreamOutputs<U>> {
  const {
    directory,
    pattern = '*',
    minAgeMs = 0,
    intervalMs = 60_000,
    timeoutMs = 86_400_000,
    ...rest
  } = options;
  const matches = nameMatcher(pattern);
  return sensor<string[], U, P>({
    ...rest,
    intervalMs,
    timeoutMs,
    poke: async (ctx) => {
      const dir = path.resolve(typeof directory === 'function' ? directory(ctx) : directory);
      const files = await matchingFiles(dir, matches, minAgeMs);
      if (files.length > 0) return { done: true, output: files };
      return { done: false, reason: `no file matching ${String(pattern)} in ${dir}` };
    },
  }) as TaskDef<string[], UpstreamOutputs<U>>;
}

/** Regular files of `dir` whose name matches and that are at least `minAgeMs` old, sorted. */
async function matchingFiles(
  dir: string,
  matches: (name: string) => boolean,
  minAgeMs: number,
): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const now = Date.now();
  const found: string[] = [];
  for (const name of names.filter(matches).sort()) {
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => undefined); // moved away meanwhile
    if (info?.isFile() && now - info.mtimeMs >= minAgeMs) found.push(file);
  }
  return found;
}

/** A file-name test from a glob (`*`, `?`) or a regular expression. */
export function nameMatcher(pattern: string | RegExp): (name: string) => boolean {
  if (pattern instanceof RegExp) return (name) => pattern.test(name);
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  const re = new RegExp(`^${source}$`);
  const hidden = pattern.startsWith('.');
  return (name) => (hidden || !name.startsWith('.')) && re.test(name);
}
