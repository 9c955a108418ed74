/**
 * Task priorities, Airflow's way: each task has a `priorityWeight`, and its `weightRule` says
 * what its effective weight is —
 *   downstream  its own weight plus the weights of every task downstream of it (the default: the
 *               first tasks of every run go before the later tasks of any run),
 *   upstream    its own weight plus the weights of every task upstream of it (a run that is
 *               further along goes first, so started runs finish before new ones start),
 *   absolute    its own weight.
 * A scheduled task instance with a higher effective weight is granted a pool slot first (after the
 * run's priority, see `dag_runs.priority`).
 */

export const WEIGHT_RULES = ['downstream', 'upstream', 'absolute'] as const;
export type WeightRule = (typeof WEIGHT_RULES)[number];

/** A task's slot and priority options (part of `TaskOptions`; resolved, `priorityWeight` is effective). */
export interface PoolTaskOptions {
  /** Slots of its pool one try holds. @defaultValue 1 */
  poolSlots?: number;
  /** Its weight when slots are granted. @defaultValue 1 */
  priorityWeight?: number;
  /** How the weight adds up: `downstream`, `upstream` or `absolute`. @defaultValue 'downstream' */
  weightRule?: WeightRule;
}

export const POOL_DEFAULTS = { poolSlots: 1, priorityWeight: 1, weightRule: 'downstream' as WeightRule };

/** The largest weight a task may declare (effective weights are summed in 32-bit columns). */
export const MAX_PRIORITY_WEIGHT = 1_000_000;

/** What goes wrong with a task's pool options, or undefined when they are fine. */
export function poolOptionProblem(o: {
  priorityWeight: unknown;
  weightRule: unknown;
  poolSlots: unknown;
}): string | undefined {
  const w = o.priorityWeight;
  if (!Number.isInteger(w) || (w as number) < 0 || (w as number) > MAX_PRIORITY_WEIGHT)
    return `priorityWeight must be a whole number from 0 to ${MAX_PRIORITY_WEIGHT}`;
  if (!WEIGHT_RULES.includes(o.weightRule as WeightRule))
    return `unknown weightRule '${String(o.weightRule)}' (expected ${WEIGHT_RULES.join(', ')})`;
  if (!Number.isInteger(o.poolSlots) || (o.poolSlots as number) < 1)
    return 'poolSlots must be a whole number ≥ 1';
  return undefined;
}

/** A DAG's cap on its active task instances, checked; undefined when it sets none. */
export function maxActiveTasksProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return Number.isInteger(value) && (value as number) >= 1
    ? undefined
    : 'maxActiveTasks must be a whole number ≥ 1';
}

interface WeightedTask {
  id: string;
  upstream: readonly string[];
  downstream: readonly string[];
  priorityWeight: number;
  weightRule: WeightRule;
}

/**
 * The effective weight of every task (see the module comment), by task id. Each task's weight
 * counts once however many paths lead to it.
 */
export function effectiveWeights(tasks: Iterable<WeightedTask>): Map<string, number> {
  const byId = new Map<string, WeightedTask>();
  for (const t of tasks) byId.set(t.id, t);
  const reach = (start: WeightedTask, next: (t: WeightedTask) => readonly string[]): number => {
    const seen = new Set<string>();
    const stack = [...next(start)];
    let sum = 0;
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const t = byId.get(id)!;
      sum += t.priorityWeight;
      stack.push(...next(t));
    }
    return sum;
  };
  const out = new Map<string, number>();
  for (const t of byId.values()) {
    const others =
      t.weightRule === 'absolute'
        ? 0
        : reach(t, t.weightRule === 'downstream' ? (x) => x.downstream : (x) => x.upstream);
    out.set(t.id, Math.min(2 ** 31 - 1, t.priorityWeight + others));
  }
  return out;
}
