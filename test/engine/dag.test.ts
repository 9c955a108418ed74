import { expect } from 'chai';
import { z } from 'zod';
import { defineDag, task, DagDefinitionError, type DagDefinition } from '../../engine/index.js';

const noop = () => task(async () => null);
const base = { id: 'bad_dag', schedule: '0 2 * * *', startDate: '2026-01-01T00:00:00Z' };

function rejection(def: Partial<DagDefinition>): string {
  try {
    defineDag({ ...base, tasks: { a: noop() }, ...def } as DagDefinition);
  } catch (err) {
    expect(err).to.be.instanceOf(DagDefinitionError);
    return (err as Error).message;
  }
  throw new Error('the definition was accepted');
}

describe('DAG definitions', () => {
  it('reject a cycle, naming the DAG and the tasks on it', () => {
    const message = rejection({
      tasks: {
        a: task(async () => null, { upstream: ['c'] }),
        b: task(async () => null, { upstream: ['a'] }),
        c: task(async () => null, { upstream: ['b'] }),
        d: noop(),
      },
    });
    expect(message).to.match(/^DAG 'bad_dag', task '\w': cycle \w → \w → \w → \w$/);
  });

  it('reject an unknown upstream task by name', () => {
    expect(rejection({ tasks: { load: task(async () => null, { upstream: ['extract'] }) } })).to.equal(
      "DAG 'bad_dag', task 'load': unknown upstream task 'extract'",
    );
  });

  it('reject an upstream task object that is not part of the DAG', () => {
    const extract = noop();
    expect(rejection({ tasks: { load: task(async () => null, { upstream: { extract } }) } })).to.equal(
      "DAG 'bad_dag', task 'load': upstream 'extract' is not a task of this DAG",
    );
  });

  it('reject the same task object registered under two ids', () => {
    const a = noop();
    expect(rejection({ tasks: { a, b: a } })).to.equal(
      "DAG 'bad_dag', task 'b': is the same task object as 'a' (ids must be unique)",
    );
  });

  it('reject a task that depends on itself', () => {
    expect(rejection({ tasks: { a: task(async () => null, { upstream: ['a'] }) } })).to.equal(
      "DAG 'bad_dag', task 'a': depends on itself",
    );
  });

  it('reject a bad cron expression, a six-field one and an unknown time zone', () => {
    expect(rejection({ schedule: '0 25 * * *' })).to.match(
      /^DAG 'bad_dag': schedule "0 25 \* \* \*" is not a valid cron/,
    );
    expect(rejection({ schedule: '0 0 2 * * *' })).to.match(/must be a five-field cron expression/);
    expect(rejection({ timezone: 'Mars/Olympus' })).to.equal(
      "DAG 'bad_dag': unknown time zone 'Mars/Olympus'",
    );
  });

  it('reject a bad id, an unknown trigger rule and negative retries', () => {
    expect(rejection({ id: 'has:colon' })).to.match(/^DAG "has:colon": id must be/);
    expect(
      rejection({ tasks: { a: task(async () => null, { triggerRule: 'sometimes' as 'all_done' }) } }),
    ).to.match(/task 'a': unknown trigger rule 'sometimes'/);
    expect(rejection({ tasks: { a: task(async () => null, { retries: -1 }) } })).to.match(
      /task 'a': retries/,
    );
  });

  it('reject a task that reads params by another schema than its DAG declares', () => {
    const dagParams = z.object({ days: z.number().default(7) });
    const otherParams = z.object({ days: z.number().default(7) });
    const reads = task(async (ctx) => ctx.params.days, { params: otherParams });
    expect(rejection({ params: dagParams, tasks: { reads } })).to.match(
      /task 'reads': reads params by a schema that is not the DAG's params schema/,
    );
    expect(rejection({ tasks: { reads } })).to.match(/task 'reads': reads params/);
  });

  it('resolve task options from the DAG defaults and order tasks topologically', () => {
    const dag = defineDag({
      ...base,
      defaultTaskOptions: { retries: 3, pool: 'heavy' },
      tasks: {
        load: task(async () => null, { upstream: ['extract'], retries: 1 }),
        extract: noop(),
      },
    });
    expect(dag.tasks.map((t) => t.id)).to.deep.equal(['extract', 'load']);
    expect(dag.taskById.get('load')).to.include({ retries: 1, pool: 'heavy', triggerRule: 'all_success' });
    expect(dag.taskById.get('extract')).to.include({ retries: 3 });
    expect(dag.taskById.get('extract')!.downstream).to.deep.equal(['load']);
    expect(dag.roots).to.deep.equal(['extract']);
    expect(dag.catchup).to.equal(false);
  });
});
