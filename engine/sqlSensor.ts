import type { z } from 'zod';
import type { Json, TaskContext, TaskDef, UpstreamOutputs, UpstreamSpec } from './dag.js';
import { sensor, type SensorOptions } from './sensor.js';

type Bindings = readonly (string | number | boolean | Date | null)[];

export interface SqlSensorOptions<
  U extends UpstreamSpec,
  P extends z.ZodType<Record<string, unknown>>,
> extends Omit<SensorOptions<Record<string, Json>, U, P>, 'poke' | 'intervalMs' | 'timeoutMs'> {
  /** One query, run on `ctx.db` with `?` placeholders. */
  sql: string;
  /** The placeholders' values, or a function of the task's context (its interval, params). */
  bindings?: Bindings | ((ctx: TaskContext<UpstreamOutputs<U>, z.output<P>>) => Bindings);
  /** @defaultValue 60000 */
  intervalMs?: number;
  /** @defaultValue 86400000 (a day) */
  timeoutMs?: number;
}

/**
 * A sensor that holds once its query returns a row whose first column is true, a non-zero number
 * or any other value but null, false, zero or ''; its output is that row. Numbers PostgreSQL
 * sends as text (`count(*)`, numeric) count by their value: `'0'` does not hold.
 * ```ts
 * const loaded = sqlSensor({
 *   sql: 'SELECT count(*) FROM inventory.supplier_stock WHERE loaded_at >= ?',
 *   bindings: (ctx) => [ctx.dataIntervalStart],
 * });
 * ```
 */
export function sqlSensor<
  const U extends UpstreamSpec = readonly [],
  P extends z.ZodType<Record<string, unknown>> = z.ZodType<Record<string, unknown>>,
>(options: SqlSensorOptions<U, P>): TaskDef<Record<string, Json>, UpstreamOutputs<U>> {
  const { sql, bindings = [], intervalMs = 60_000, timeoutMs = 86_400_000, ...rest } = options;
  return sensor<Record<string, Json>, U, P>({
    ...rest,
    intervalMs,
    timeoutMs,
    poke: async (ctx) => {
      const values = typeof bindings === 'function' ? bindings(ctx) : bindings;
      const { rows } = (await ctx.db.raw(sql, values as Bindings as never)) as {
        rows: Array<Record<string, unknown>>;
      };
      const row = rows[0];
      if (!row) return { done: false, reason: 'the query returned no row' };
      const first = Object.values(row)[0];
      if (!holds(first)) return { done: false, reason: `the query returned ${JSON.stringify(first)}` };
      return { done: true, output: JSON.parse(JSON.stringify(row)) as Record<string, Json> };
    },
  }) as TaskDef<Record<string, Json>, UpstreamOutputs<U>>;
}

/** Whether a first column counts as "the condition holds". */
export function holds(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === '') return false;
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value) !== 0;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value) !== 0;
  return true;
}
