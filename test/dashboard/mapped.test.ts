import { expect } from 'chai';
import { defineDag, task, waitForRun } from '../../engine/index.js';
import { PermanentTaskError } from '../../platform/index.js';
import { apiClient, basic, json, PUBLIC_READ, useServer, type TestServer } from './server.js';

/** Three warehouses, one of which fails its transform: a run the grid shows as `2 ✓ 1 ✗`. */
const warehouses = task(async () => ['WH-1', 'WH-2', 'WH-3']);
const mappedDag = defineDag({
  id: 'per_warehouse',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tasks: {
    warehouses,
    transform: task(
      async (ctx) => {
        if (ctx.mapItem === 'WH-2') throw new PermanentTaskError('WH-2 has no snapshot');
        return { warehouse: ctx.mapItem, rows: 10 * (ctx.mapIndex + 1) };
      },
      { upstream: { warehouses }, mapOver: 'warehouses' },
    ),
    load: task(async () => null, { upstream: ['transform'] }),
  },
});

describe('mapped tasks in the dashboard', () => {
  let s: TestServer;
  useServer({ worker: true, env: PUBLIC_READ, dags: [mappedDag] }, (server) => (s = server));
  const { get } = apiClient(() => s);
  const page = async (path: string) => {
    const response = await fetch(`${s.url}${path}`);
    expect(response.status, path).to.equal(200);
    return response.text();
  };

  let runId: number;
  before(async () => {
    const { status, body } = await get('/api/dags/per_warehouse/runs', json({}, basic()));
    expect(status).to.equal(201);
    runId = body.id;
    expect((await waitForRun(s.harness.engine, runId, { pollMs: 50 })).state).to.equal('failed');
  });

  it('shows a mapped task in the grid as one cell counting its instances, which opens into one cell per instance', async () => {
    const html = await page('/dags/per_warehouse');
    const cell = /<details class="mapped" data-task="transform" data-run-id="(\d+)"[\s\S]*?<\/details>/.exec(
      html,
    );
    expect(cell, 'the mapped cell').to.not.equal(null);
    expect(Number(cell![1])).to.equal(runId);
    expect(cell![0]).to.match(/<summary[^>]*class="cell mapped-cell state-failed"[\s\S]*>2 ✓ 1 ✗<\/span>/);
    const instances = [
      ...cell![0].matchAll(/<a\s+class="cell state-(\w+)"\s+data-task="(transform\[\d\])"/g),
    ];
    expect(instances.map((m) => [m[2], m[1]])).to.deep.equal([
      ['transform[0]', 'success'],
      ['transform[1]', 'failed'],
      ['transform[2]', 'success'],
    ]);
    expect(cell![0]).to.include(`/dags/per_warehouse/runs/${runId}/tasks/transform%5B1%5D`);
    // No instance gets a row of its own in the grid.
    expect(html).not.to.match(/<th class="task-col">transform\[/);
  });

  it('hands the counts and the instances to the grid API, and marks the mapped task in the graph', async () => {
    const { status, body } = await get('/api/dags/per_warehouse/grid');
    expect(status).to.equal(200);
    const cell = body.runs.find((r: any) => r.id === runId).tasks.transform;
    expect(cell.state).to.equal('failed');
    expect(cell.mapped).to.deep.include({ total: 3, counts: { success: 2, failed: 1 } });
    expect(cell.mapped.instances.map((i: any) => i.task_id)).to.deep.equal([
      'transform[0]',
      'transform[1]',
      'transform[2]',
    ]);
    const graph = await get('/api/dags/per_warehouse/graph');
    expect(graph.body.nodes.map((n: any) => [n.task_id, n.map_over])).to.deep.equal([
      ['warehouses', null],
      ['transform', 'warehouses'],
      ['load', null],
    ]);
  });

  it("lists a mapped task's instances in the JSON API, in index order with their outputs", async () => {
    const { status, body } = await get(`/api/dags/per_warehouse/runs/${runId}/tasks/transform/instances`);
    expect(status).to.equal(200);
    expect(body).to.deep.include({
      dag_id: 'per_warehouse',
      run_id: runId,
      task_id: 'transform',
      map_over: 'warehouses',
      state: 'failed',
      map_count: 3,
      counts: { success: 2, failed: 1 },
    });
    expect(body.instances.map((i: any) => [i.task_id, i.map_index, i.state, i.output])).to.deep.equal([
      ['transform[0]', 0, 'success', { warehouse: 'WH-1', rows: 10 }],
      ['transform[1]', 1, 'failed', null],
      ['transform[2]', 2, 'success', { warehouse: 'WH-3', rows: 30 }],
    ]);
    expect(body.instances[1].error).to.equal('WH-2 has no snapshot');

    const one = await get(`/api/runs/${runId}/tasks/transform%5B2%5D`);
    expect(one.status).to.equal(200);
    expect(one.body).to.include({ task_id: 'transform[2]', map_parent: 'transform', map_index: 2 });
    expect(one.body.definition).to.include({ map_over: 'warehouses' });
    const run = await get(`/api/runs/${runId}`);
    expect(run.body.task_instances.map((t: any) => t.task_id)).to.include.members([
      'transform',
      'transform[1]',
    ]);
  });

  it('answers 404 for the instances of a task that is not mapped, and 400 for a malformed task id', async () => {
    const plain = await get(`/api/dags/per_warehouse/runs/${runId}/tasks/load/instances`);
    expect(plain.status).to.equal(404);
    expect(plain.body.error).to.match(/task 'load' of per_warehouse is not mapped/);
    const malformed = await get(`/api/runs/${runId}/tasks/transform%5Bx%5D`);
    expect(malformed.status).to.equal(400);
  });

  it('lists the instances on the run page under their task, and on the mapped task’s page', async () => {
    const run = await page(`/dags/per_warehouse/runs/${runId}`);
    const rows = [...run.matchAll(/<tr class="(instance)?" data-task="([^"]+)"/g)].map((m) => m[2]);
    expect(rows).to.deep.equal([
      'warehouses',
      'transform',
      'transform[0]',
      'transform[1]',
      'transform[2]',
      'load',
    ]);
    expect(run).to.include('3 mapped: 2 ✓ 1 ✗');
    const parent = await page(`/dags/per_warehouse/runs/${runId}/tasks/transform`);
    expect(parent).to.include('<h2>Mapped instances</h2>');
    expect([...parent.matchAll(/<tr data-task="(transform\[\d\])"/g)].map((m) => m[1])).to.deep.equal([
      'transform[0]',
      'transform[1]',
      'transform[2]',
    ]);
    const instance = await page(`/dags/per_warehouse/runs/${runId}/tasks/transform%5B1%5D`);
    expect(instance).to.include('WH-2 has no snapshot');
    expect(instance).to.include(`href="/dags/per_warehouse/runs/${runId}/tasks/transform">transform</a>`);
  });
});
