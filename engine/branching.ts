import type { z } from 'zod';
import {
  task,
  type TaskContext,
  type TaskDef,
  type TaskOptions,
  type UpstreamOutputs,
  type UpstreamSpec,
} from './dag.js';

/** What a branch returns: the direct downstream task(s) to run; null (or []) runs none. */
export type BranchChoice = string | string[] | null;

/**
 * A task that chooses which of its direct downstream tasks run (Airflow's `@task.branch`): the
 * ones it names run by their trigger rules, the others are `skipped`, and the skips travel on by
 * the trigger rules (an `all_success` task after a skipped one is skipped, a `none_failed` join
 * runs). Naming a task that is not a direct downstream task fails the branch at once. Its output
 * is what it returned, so downstream tasks can read the choice.
 * ```ts
 * const route = branch((ctx) => (ctx.params.full ? 'full_load' : 'incremental_load'), { params });
 * ```
 */
export function branch<
  const U extends UpstreamSpec = readonly [],
  P extends z.ZodType<Record<string, unknown>> = z.ZodType<Record<string, unknown>>,
>(
  choose: (ctx: TaskContext<UpstreamOutputs<U>, z.output<P>>) => Promise<BranchChoice> | BranchChoice,
  options: TaskOptions & { upstream?: U; params?: P; description?: string } = {},
): TaskDef<BranchChoice, UpstreamOutputs<U>> {
  return { ...task<BranchChoice, U, P>(choose, options), branch: true };
}
