import { PermanentTaskError } from '../platform/index.js';

/**
 * What `defineDag` needs to know of the two special kinds of task, kept apart from their
 * factories (`sensor()` in sensor.ts, `branch()` in branching.ts) so the DAG module does not
 * depend on them.
 */

/** A sensor's schedule of pokes, as `sensor()` resolved it (shown on the task page). */
export interface SensorSettings {
  /** Delay between pokes (the first one, with `exponentialBackoff`). */
  intervalMs: number;
  /** The sensor gives up this long after its first poke. */
  timeoutMs: number;
  /** Double the delay after every poke, up to `maxIntervalMs`. */
  exponentialBackoff: boolean;
  maxIntervalMs: number;
  /** What a timeout does: fail the task (an e-mail goes out) or skip it. */
  onTimeout: 'fail' | 'skip';
}

/** What is wrong with a sensor's settings, in words, or undefined. */
export function sensorProblem(s: SensorSettings): string | undefined {
  if (!(s.intervalMs > 0)) return 'sensor intervalMs must be a positive number of milliseconds';
  if (!(s.timeoutMs > 0)) return 'sensor timeoutMs must be a positive number of milliseconds';
  if (!(s.maxIntervalMs >= s.intervalMs)) return 'sensor maxIntervalMs must be at least intervalMs';
  if (s.onTimeout !== 'fail' && s.onTimeout !== 'skip') return `sensor onTimeout must be 'fail' or 'skip'`;
  return undefined;
}

/**
 * The direct downstream tasks a branch's output names: a task id, a list of them, or null (none).
 * Anything else, or an id that is not a direct downstream task, fails the branch at once.
 */
export function chosenDownstream(taskId: string, output: unknown, downstream: readonly string[]): string[] {
  const ids = output === null || output === undefined ? [] : Array.isArray(output) ? output : [output];
  const expected = `expected one or more of ${downstream.map((d) => `'${d}'`).join(', ')}`;
  for (const id of ids) {
    if (typeof id !== 'string')
      throw new PermanentTaskError(
        `branch '${taskId}' returned ${JSON.stringify(id)}, not a task id (${expected})`,
      );
    if (!downstream.includes(id))
      throw new PermanentTaskError(
        `branch '${taskId}' returned '${id}', which is not a direct downstream task (${expected})`,
      );
  }
  return [...new Set(ids as string[])];
}

/** Wraps a branch task's handler so that an output naming no direct downstream task fails it. */
export function followBranch<Ctx>(
  taskId: string,
  run: (ctx: Ctx) => unknown,
  downstream: readonly string[],
): (ctx: Ctx) => Promise<unknown> {
  return async (ctx) => {
    const output = await run(ctx);
    chosenDownstream(taskId, output, downstream);
    return output;
  };
}
