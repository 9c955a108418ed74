/**
 * Which waiting task instances get a slot, decided from one snapshot (a pure function; the SQL
 * around it is `grantSlots` in engine/pools.ts). Candidates come highest priority first. Each is
 * granted when its pool has `pool_slots` free and its DAG is under its cap; the slots it takes
 * count for the candidates after it. A candidate its DAG's cap holds back does not hold back its
 * pool. One that needs more slots than its pool has free holds back every later candidate of that
 * pool: a task is never overtaken in its pool by one of lower priority, so a task that needs many
 * slots is not starved by a stream of small ones. One that needs more slots than its pool has at
 * all never runs until the pool grows (its wait says so) and holds back nothing.
 */

export interface GrantCandidate {
  run_id: number;
  task_id: string;
  dag_id: string;
  pool: string;
  pool_slots: number;
  max_active_tasks: number | null;
}

export interface GrantPool {
  name: string;
  /** null: unlimited. */
  slots: number | null;
  /** Slots held now. */
  used: number;
}

export function pickGrants<C extends GrantCandidate>(
  candidates: readonly C[],
  pools: readonly GrantPool[],
  active: ReadonlyMap<string, number>,
): C[] {
  const free = new Map<string, number>();
  const total = new Map<string, number>();
  for (const p of pools) {
    if (p.slots === null) continue;
    free.set(p.name, p.slots - p.used);
    total.set(p.name, p.slots);
  }
  const running = new Map(active);
  const blocked = new Set<string>();
  const picked: C[] = [];
  for (const c of candidates) {
    const dagActive = running.get(c.dag_id) ?? 0;
    if (c.max_active_tasks !== null && dagActive >= c.max_active_tasks) continue;
    if (blocked.has(c.pool)) continue;
    const left = free.get(c.pool);
    if (left !== undefined) {
      if (c.pool_slots > total.get(c.pool)!) continue;
      if (c.pool_slots > left) {
        blocked.add(c.pool);
        continue;
      }
      free.set(c.pool, left - c.pool_slots);
    }
    running.set(c.dag_id, dagActive + 1);
    picked.push(c);
  }
  return picked;
}
