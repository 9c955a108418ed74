import { expect } from 'chai';
import { z } from 'zod';
import { defineDag, task } from '../../engine/index.js';

/*
 * Compile-time specification: `npx tsc -p .` fails if a `@ts-expect-error` line below stops being
 * an error, so these lines prove the types catch misuse of upstream outputs.
 */
const extract = task(async () => ({ rows: 3, source: 'ledger' }));
const load = task(
  async (ctx) => {
    const rows: number = ctx.upstream.extract.rows;
    // @ts-expect-error rows is a number, not a string
    const wrong: string = ctx.upstream.extract.rows;
    // @ts-expect-error extract has no output named 'missing'
    void ctx.upstream.extract.missing;
    // @ts-expect-error 'transform' is not an upstream of this task
    void ctx.upstream.transform;
    void wrong;
    return { loaded: rows };
  },
  { upstream: { extract }, retries: 2 },
);
const report = task(async (ctx) => ctx.upstream.load.loaded * 2, { upstream: { load } });
const byName = task(async (ctx) => String(ctx.upstream.extract), { upstream: ['extract'] });

const params = z.object({ days: z.number().int().default(7), region: z.string().optional() });
const summarise = task(
  async (ctx) => {
    const days: number = ctx.params.days; // the default applied: never undefined
    // @ts-expect-error region may be undefined
    const region: string = ctx.params.region;
    // @ts-expect-error 'weeks' is not a param of this DAG
    void ctx.params.weeks;
    void region;
    return days;
  },
  { params },
);
const untyped = task(async (ctx) => {
  const value: unknown = ctx.params.anything; // without a schema, params are plain JSON values
  return value === undefined;
});

const shards = task(async () => ['north', 'south']);
const perShard = task(
  async (ctx) => {
    const item: string = ctx.mapItem;
    const index: number = ctx.mapIndex;
    // @ts-expect-error the element of a list of strings is a string
    const wrong: number = ctx.mapItem;
    void wrong;
    return { shard: item, index };
  },
  { upstream: { shards }, mapOver: 'shards' },
);
const gather = task(
  async (ctx) => {
    const outputs: Array<{ shard: string; index: number } | null> = ctx.upstream.perShard;
    // @ts-expect-error downstream, a mapped task's output is the list of its instances' outputs
    void ctx.upstream.perShard.shard;
    return outputs.length;
  },
  { upstream: { perShard } },
);
// @ts-expect-error a task maps over one of its upstream tasks
task(async () => null, { upstream: { shards }, mapOver: 'elsewhere' });
// @ts-expect-error a task that is not mapped has no element
task(async (ctx) => String(ctx.mapItem));

describe('DAG definition types', () => {
  it('hand typed upstream outputs to downstream handlers', () => {
    const dag = defineDag({
      id: 'typed',
      schedule: '0 2 * * *',
      startDate: '2026-01-01T00:00:00Z',
      tasks: { extract, load, report, byName },
    });
    expect(dag.tasks.map((t) => t.id)).to.deep.equal(['extract', 'load', 'byName', 'report']);
  });

  it('hand a mapped task its element typed by its list, and its downstream tasks the list of outputs', () => {
    const dag = defineDag({
      id: 'typed_mapped',
      schedule: null,
      startDate: '2026-01-01T00:00:00Z',
      tasks: { shards, perShard, gather },
    });
    expect(dag.taskById.get('perShard')!.mapOver).to.equal('shards');
  });

  it('hand params typed by the DAG schema to the handlers that declare it', () => {
    const dag = defineDag({
      id: 'typed_params',
      schedule: null,
      startDate: '2026-01-01T00:00:00Z',
      params,
      tasks: { summarise, untyped },
    });
    expect(dag.paramsSchema).to.equal(params);
  });
});
