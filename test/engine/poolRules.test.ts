import { expect } from 'chai';
import { defineDag, effectiveWeights, pickGrants, task, type GrantCandidate } from '../../engine/index.js';

const candidate = (task_id: string, pool: string, pool_slots = 1, dag_id = 'd', cap: number | null = null) =>
  ({ run_id: 1, task_id, dag_id, pool, pool_slots, max_active_tasks: cap }) satisfies GrantCandidate;
const ids = (picked: GrantCandidate[]) => picked.map((c) => c.task_id);

describe('slot grants (pickGrants)', () => {
  it('fills each pool up to its free slots, in the order given, and leaves unlimited pools unbounded', () => {
    const picked = pickGrants(
      [
        candidate('a', 'p'),
        candidate('b', 'p'),
        candidate('c', 'p'),
        candidate('x', 'free'),
        candidate('y', 'free'),
      ],
      [
        { name: 'p', slots: 4, used: 2 },
        { name: 'free', slots: null, used: 9 },
      ],
      new Map(),
    );
    expect(ids(picked)).to.deep.equal(['a', 'b', 'x', 'y']);
  });

  it('never lets a lower-priority task overtake one that needs more slots than are free in its pool', () => {
    const picked = pickGrants(
      [candidate('big', 'p', 3), candidate('small', 'p'), candidate('other', 'q')],
      [
        { name: 'p', slots: 4, used: 2 },
        { name: 'q', slots: 1, used: 0 },
      ],
      new Map(),
    );
    expect(ids(picked)).to.deep.equal(['other']);
  });

  it('passes over a task that needs more slots than its pool has at all, without holding the pool back', () => {
    const picked = pickGrants(
      [candidate('huge', 'p', 5), candidate('small', 'p')],
      [{ name: 'p', slots: 4, used: 0 }],
      new Map(),
    );
    expect(ids(picked)).to.deep.equal(['small']);
  });

  it('stops at each DAG cap, counting what it grants, and a capped DAG does not hold back its pool', () => {
    const picked = pickGrants(
      [candidate('a1', 'p', 1, 'a', 2), candidate('a2', 'p', 1, 'a', 2), candidate('b1', 'p', 1, 'b', 5)],
      [{ name: 'p', slots: 10, used: 1 }],
      new Map([['a', 1]]),
    );
    expect(ids(picked)).to.deep.equal(['a1', 'b1']);
  });
});

describe('priority weights (weightRule)', () => {
  const dag = (rule: 'downstream' | 'upstream' | 'absolute') =>
    defineDag({
      id: `w_${rule}`,
      schedule: null,
      startDate: '2026-01-01T00:00:00Z',
      defaultTaskOptions: { weightRule: rule },
      tasks: {
        a: task(async () => null, { priorityWeight: 1 }),
        b: task(async () => null, { upstream: ['a'], priorityWeight: 2 }),
        c: task(async () => null, { upstream: ['a'], priorityWeight: 3 }),
        d: task(async () => null, { upstream: ['b', 'c'], priorityWeight: 4 }),
      },
    });
  const weights = (rule: 'downstream' | 'upstream' | 'absolute') =>
    Object.fromEntries(dag(rule).tasks.map((t) => [t.id, t.priorityWeight]));

  it('adds every downstream task once (the default), every upstream task once, or nothing', () => {
    expect(weights('downstream')).to.deep.equal({ a: 10, b: 6, c: 7, d: 4 });
    expect(weights('upstream')).to.deep.equal({ a: 1, b: 3, c: 4, d: 10 });
    expect(weights('absolute')).to.deep.equal({ a: 1, b: 2, c: 3, d: 4 });
  });

  it('computes the same from the bare graph', () => {
    const w = effectiveWeights([
      { id: 'x', upstream: [], downstream: ['y'], priorityWeight: 2, weightRule: 'downstream' },
      { id: 'y', upstream: ['x'], downstream: [], priorityWeight: 3, weightRule: 'upstream' },
    ]);
    expect(Object.fromEntries(w)).to.deep.equal({ x: 5, y: 5 });
  });

  it('rejects a bad weight, rule, slot count or cap with a message naming the DAG and task', () => {
    const bad =
      (options: object, dagOptions: object = {}) =>
      () =>
        defineDag({
          id: 'bad',
          schedule: null,
          startDate: '2026-01-01T00:00:00Z',
          tasks: { t: task(async () => null, options) },
          ...dagOptions,
        });
    expect(bad({ priorityWeight: -1 })).to.throw(/DAG 'bad', task 't': priorityWeight/);
    expect(bad({ weightRule: 'sideways' })).to.throw(/unknown weightRule 'sideways'/);
    expect(bad({ poolSlots: 0 })).to.throw(/poolSlots must be a whole number ≥ 1/);
    expect(bad({}, { maxActiveTasks: 0 })).to.throw(/DAG 'bad': maxActiveTasks/);
  });
});
