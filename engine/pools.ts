import { InvalidInputError, isTransactionConflict, type Knex } from '../platform/index.js';
import {
  anySlotWaits,
  grantSlotRows,
  lockSlotGrants,
  poolStats,
  setPool,
  slotCandidates,
  SLOT_HOLDING_STATES,
  type PoolRow,
  type QueuedTry,
} from './store/index.js';
import type { Engine } from './engine.js';
import { pickGrants } from './slotGrants.js';

/**
 * Pools (Airflow's): a pool has a number of slots (none: unlimited). A task whose trigger rule is
 * met goes straight to `queued` when its pool is unlimited and its DAG has no cap — the path every
 * task of the default setup takes, at no extra cost. Otherwise it waits in `scheduled` until a
 * grant gives it a slot: grants take the waiting instances highest priority first (run priority,
 * then effective weight, see engine/priority.ts), up to the free slots of each pool and the cap
 * of each DAG (`pickGrants`). Grants run after every change that may free a slot or add a waiting
 * instance — a try that ends, a run created or advanced, a cancel, clear or mark, slots edited —
 * and in every scheduler pass, which catches whatever a process that died left behind.
 *
 * A pool shrunk below the slots its instances hold takes nothing back: running tries go on, and
 * nothing more is granted until the slots held drop below the new count.
 */

/**
 * The states whose instances hold a slot of their pool and count toward their DAG's cap: queued,
 * running, up for retry and up for reschedule. A try up for retry keeps its slot: its next try is
 * already enqueued with its delay and is claimed without a new grant (as is a sensor's next poke),
 * so that no pool ever runs more than its slots.
 */
export { SLOT_HOLDING_STATES };

/** Scheduled instances one grant looks at, at most (the rest wait for the next grant). */
const GRANT_BATCH = 500;

/**
 * Grants free slots to waiting task instances (see the module comment), in one transaction under
 * a lock all processes share; with nothing waiting, one look at an index and no transaction. A
 * deadlock (a cancel locking the same rows in another order) is tried again. Returns the tries it
 * created, for the caller to enqueue.
 */
export async function grantSlots(knex: Knex): Promise<QueuedTry[]> {
  if (!(await anySlotWaits(knex))) return [];
  const grant = () =>
    knex.transaction(async (trx) => {
      await lockSlotGrants(trx);
      const { candidates, pools, active } = await slotCandidates(trx, GRANT_BATCH);
      if (candidates.length === 0) return [];
      return grantSlotRows(trx, pickGrants(candidates, pools, active));
    });
  let rows: Awaited<ReturnType<typeof grant>>;
  for (let attempt = 1; ; attempt += 1) {
    try {
      rows = await grant();
      break;
    } catch (err) {
      if (attempt >= 5 || !isTransactionConflict(err)) throw err;
    }
  }
  return rows.map((r) => ({
    runId: r.run_id,
    dagId: r.dag_id,
    taskId: r.task_id,
    pool: r.pool,
    tryNumber: r.try_number,
    tryKey: r.try_key,
    runPriority: r.priority,
  }));
}

/** Grants free slots and enqueues the tries granted; returns how many. */
export async function grantAndEnqueue(engine: Engine): Promise<number> {
  const granted = await grantSlots(engine.knex);
  await engine.queues.enqueue(granted);
  return granted.length;
}

/** Every pool with its slots and what its task instances hold and wait for, by name. */
export async function listPools(engine: Engine): Promise<PoolRow[]> {
  const rows = await poolStats(engine.knex);
  const known = new Set(rows.map((r) => r.name));
  // A pool of the DAG code the scheduler has not synced yet: unlimited until it is set.
  for (const name of dagPools(engine))
    if (!known.has(name))
      rows.push({
        name,
        slots: null,
        description: null,
        updated_at: null,
        updated_by: null,
        occupied_slots: 0,
        running: 0,
        queued: 0,
        scheduled: 0,
      });
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

/** One pool, or undefined when no DAG names it and it has no row. */
export async function getPool(engine: Engine, name: string): Promise<PoolRow | undefined> {
  return (await listPools(engine)).find((p) => p.name === name);
}

export interface PoolChange {
  pool: PoolRow;
  /** Its slots before (null: unlimited). */
  previous: number | null;
  /** Tries granted at once because slots were freed. */
  granted: number;
}

/**
 * Sets the slots of a pool a DAG names or an operator set before (null: unlimited; 0 grants
 * nothing), and its description when given. More slots are granted at once; fewer take nothing
 * back from the instances holding them. An unknown pool or a bad count is an InvalidInputError.
 */
export async function setPoolSlots(
  engine: Engine,
  name: string,
  slots: number | null,
  options: { description?: string; by: string },
): Promise<PoolChange> {
  if (slots !== null && (!Number.isInteger(slots) || slots < 0 || slots > 1_000_000))
    throw new InvalidInputError('slots must be a whole number from 0 to 1000000, or unlimited');
  const before = await getPool(engine, name);
  if (!before) {
    const known = (await listPools(engine)).map((p) => p.name);
    throw new InvalidInputError(`unknown pool '${name}' (known: ${known.join(', ') || 'none'})`);
  }
  const description = options.description?.trim();
  await setPool(engine.knex, {
    name,
    slots,
    ...(description ? { description: description.slice(0, 500) } : {}),
    by: options.by,
  });
  const granted = await grantAndEnqueue(engine);
  engine.logger.info(
    { pool: name, slots, previous: before.slots, by: options.by, granted },
    'pool slots set',
  );
  return { pool: (await getPool(engine, name))!, previous: before.slots, granted };
}

/** The pools the loaded DAGs name. */
export function dagPools(engine: Pick<Engine, 'dags'>): string[] {
  return [...new Set([...engine.dags.values()].flatMap((d) => d.tasks.map((t) => t.pool)))].sort();
}
