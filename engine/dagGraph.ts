/** Helpers of `defineDag`: the task order, and reading its inputs. */

/** What the task order needs of a task. */
interface GraphNode {
  id: string;
  upstream: readonly string[];
  downstream: readonly string[];
}

/** Kahn's algorithm; reports one cycle (as a closed path) when there is one. */
export function topologicalOrder<ResolvedTask extends GraphNode>(
  tasks: Map<string, ResolvedTask>,
  onCycle: (cycle: string[]) => never,
): ResolvedTask[] {
  const indegree = new Map([...tasks.values()].map((t) => [t.id, t.upstream.length]));
  const ready = [...tasks.values()].filter((t) => t.upstream.length === 0).map((t) => t.id);
  const order: ResolvedTask[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    const t = tasks.get(id)!;
    order.push(t);
    for (const d of t.downstream) {
      const left = indegree.get(d)! - 1;
      indegree.set(d, left);
      if (left === 0) ready.push(d);
    }
  }
  if (order.length === tasks.size) return order;
  // Walk upstream from any task left over until a task repeats: that closed walk is a cycle.
  const left = new Set([...indegree].filter(([, n]) => n > 0).map(([id]) => id));
  let at = [...left][0]!;
  const path: string[] = [];
  while (!path.includes(at)) {
    path.push(at);
    at = tasks.get(at)!.upstream.find((u) => left.has(u))!;
  }
  const cycle = path.slice(path.indexOf(at)).reverse();
  return onCycle([...cycle, cycle[0]!]);
}

export function toDate(value: Date | string): Date | undefined {
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
