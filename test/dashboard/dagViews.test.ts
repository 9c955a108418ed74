import { expect } from 'chai';
import type { RouteDeps } from '../../dashboard/deps.js';
import { runCalendarOf } from '../../dashboard/runCalendar.js';
import { defineDag, task, triggerRun, waitForRun } from '../../engine/index.js';
import { waitFor } from '../support/wait.js';
import {
  apiClient,
  basic,
  demoDag,
  failingDag,
  json,
  PUBLIC_READ,
  useServer,
  type TestServer,
} from './server.js';

/** Four tasks in three layers: `fan_a` and `fan_b` both read `start`, `join` reads both. */
export const diamondDag = defineDag({
  id: 'diamond',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tasks: {
    start: task(async () => ({ ok: true })),
    fan_a: task(async () => ({ ok: true }), { upstream: ['start'] }),
    fan_b: task(async () => ({ ok: true }), { upstream: ['start'] }),
    join: task(async () => ({ ok: true }), { upstream: ['fan_a', 'fan_b'] }),
  },
});

/** Due at 21:00 in New York: 02:00 UTC the next day in winter. */
export const easternDag = defineDag({
  id: 'eastern_nightly',
  schedule: '0 21 * * *',
  timezone: 'America/New_York',
  startDate: '2025-01-01T00:00:00Z',
  tasks: { load: task(async () => null) },
});

/** The data behind the DAG page's graph, Gantt, duration history and calendar. */
describe('dashboard DAG views API', function () {
  let s: TestServer;
  useServer(
    { worker: true, env: PUBLIC_READ, dags: [demoDag, failingDag, diamondDag, easternDag] },
    (server) => (s = server),
  );
  const { get } = apiClient(() => s);

  /** Triggers a run of `dagId` and waits for it to end; returns its id. */
  const finishedRun = async (dagId: string): Promise<number> => {
    const created = await get(`/api/dags/${dagId}/runs`, json({}, basic()));
    expect(created.status).to.equal(201);
    const runId = created.body.id as number;
    await waitFor(`run ${runId} of ${dagId} to end`, async () => {
      const { body } = await get(`/api/runs/${runId}`);
      return body.state !== 'running';
    });
    return runId;
  };

  it("lays the graph out by depth, with one edge per upstream and the latest run's states", async () => {
    const empty = await get('/api/dags/diamond/graph');
    expect(empty.status).to.equal(200);
    expect(empty.body.run).to.equal(null);
    expect(empty.body.nodes.every((n: any) => n.state === 'none' && n.href === null)).to.equal(true);

    const runId = await finishedRun('diamond');
    const { body } = await get('/api/dags/diamond/graph');
    expect(body.run).to.include({ id: runId, state: 'success' });
    const nodes = Object.fromEntries(body.nodes.map((n: any) => [n.task_id, n]));
    expect(Object.keys(nodes)).to.have.members(diamondDag.tasks.map((t) => t.id));
    expect(nodes.start).to.include({ depth: 0, row: 0, state: 'success' });
    expect(nodes.fan_a).to.include({ depth: 1, row: 0 });
    expect(nodes.fan_b).to.include({ depth: 1, row: 1 });
    expect(nodes.join).to.include({ depth: 2, href: `/dags/diamond/runs/${runId}/tasks/join` });
    expect(body.edges).to.have.deep.members(
      diamondDag.tasks.flatMap((t) => t.upstream.map((u) => ({ from: u, to: t.id }))),
    );

    const failedRun = await finishedRun('always_fails');
    const failing = await get('/api/dags/always_fails/graph');
    const states = Object.fromEntries(failing.body.nodes.map((n: any) => [n.task_id, n.state]));
    expect(failing.body.run.id).to.equal(failedRun);
    expect(states).to.deep.equal({ boom: 'failed', after: 'upstream_failed' });
  });

  it("draws one Gantt bar per task instance of a run, with the task instances' own times", async () => {
    const runId = await finishedRun('diamond');
    const [{ body: gantt }, { body: run }] = await Promise.all([
      get(`/api/runs/${runId}/gantt`),
      get(`/api/runs/${runId}`),
    ]);
    expect(gantt).to.include({ run_id: runId, dag_id: 'diamond' });
    expect(gantt.bars.map((b: any) => b.task_id)).to.deep.equal(['start', 'fan_a', 'fan_b', 'join']);
    const pick = ({ task_id, state, queued_at, started_at, ended_at }: any) => ({
      task_id,
      state,
      queued_at,
      started_at,
      ended_at,
    });
    expect(gantt.bars.map(pick)).to.have.deep.members(run.task_instances.map(pick));
    const times = run.task_instances.flatMap((t: any) => [t.queued_at, t.started_at, t.ended_at]);
    const ms = times.filter(Boolean).map((t: string) => Date.parse(t));
    expect(Date.parse(gantt.from)).to.equal(Math.min(...ms));
    expect(Date.parse(gantt.to)).to.equal(Math.max(...ms));
    for (const b of gantt.bars) expect(Date.parse(b.started_at)).to.be.at.least(Date.parse(b.queued_at));
    expect((await get('/api/runs/999999/gantt')).status).to.equal(404);
  });

  it('gives each task its duration per run over the last N runs, from started and ended', async () => {
    await finishedRun('demo_etl');
    await finishedRun('demo_etl');
    const latest = (await get('/api/dags/demo_etl/runs?limit=2')).body.runs as any[];
    const { status, body } = await get('/api/dags/demo_etl/durations?limit=2');
    expect(status).to.equal(200);
    expect(body.runs.map((r: any) => r.id)).to.deep.equal(latest.map((r) => r.id).reverse());
    expect(body.tasks.map((t: any) => t.task_id)).to.deep.equal(['extract', 'load']);
    for (const run of latest) {
      const { body: detail } = await get(`/api/runs/${run.id}`);
      for (const ti of detail.task_instances) {
        const point = body.tasks
          .find((t: any) => t.task_id === ti.task_id)
          .points.find((p: any) => p.run_id === run.id);
        expect(point, `${ti.task_id} of run ${run.id}`).to.deep.equal({
          run_id: run.id,
          state: ti.state,
          duration_ms: Date.parse(ti.ended_at) - Date.parse(ti.started_at),
        });
      }
    }
    expect((await get('/api/dags/demo_etl/durations')).body.runs.length).to.be.at.least(2);
    expect((await get('/api/dags/demo_etl/durations?limit=0')).status).to.equal(400);
    expect((await get('/api/dags/nope/durations')).status).to.equal(404);
  });

  it("puts each day's runs on the calendar of its year, coloured by the worst state of that day", async () => {
    await finishedRun('always_fails');
    const runs = (await get('/api/dags/always_fails/runs?limit=500')).body.runs as any[];
    const year = new Date(runs[0].logical_date).getUTCFullYear();
    const { status, body } = await get(`/api/dags/always_fails/calendar?year=${year}`);
    expect(status).to.equal(200);
    const expected = new Map<string, Record<string, number>>();
    for (const r of runs) {
      const day = new Date(r.logical_date).toISOString().slice(0, 10);
      if (!day.startsWith(String(year))) continue;
      const counts = expected.get(day) ?? { running: 0, success: 0, failed: 0, cancelled: 0 };
      counts[r.state] = (counts[r.state] ?? 0) + 1;
      expected.set(day, counts);
    }
    expect(body.days.map((d: any) => [d.day, d.runs])).to.deep.equal([...expected]);
    for (const d of body.days) expect(d.worst).to.equal('failed');
    expect((await get(`/api/dags/always_fails/calendar?year=${year - 1}`)).body.days).to.deep.equal([]);
    expect((await get('/api/dags/always_fails/calendar?year=1999')).status).to.equal(400);
    expect((await get('/api/dags/nope/calendar')).status).to.equal(404);
  });

  it("places each run on the day of its logical date in the DAG's time zone, not the server's", async () => {
    // Local times in New York: Dec 31 2025 21:00, Jan 4 2026 21:00, and Dec 31 2026 23:00.
    const logical = ['2026-01-01T02:00:00Z', '2026-01-05T02:00:00Z', '2027-01-01T04:00:00Z'];
    for (const at of logical) {
      const run = await triggerRun(s.harness.engine, easternDag.id, { logicalDate: new Date(at) });
      expect((await waitForRun(s.harness.engine, run.id, { pollMs: 20 })).state).to.equal('success');
    }
    const days = async (year: number) => {
      const { status, body } = await get(`/api/dags/eastern_nightly/calendar?year=${year}`);
      expect(status).to.equal(200);
      expect(body.timezone).to.equal('America/New_York');
      return body.days.map((d: any) => [d.day, d.runs.success]);
    };
    expect(await days(2025)).to.deep.equal([['2025-12-31', 1]]);
    expect(await days(2026)).to.deep.equal([
      ['2026-01-04', 1],
      ['2026-12-31', 1],
    ]);
    expect(await days(2027)).to.deep.equal([]);
    const page = await (await fetch(`${s.url}/dags/eastern_nightly?year=2026`)).text();
    expect(page).to.match(/<rect class="day state-success" data-day="2026-01-04" data-state="success"/);
    expect(page).to.match(/<rect class="day empty-day" data-day="2026-01-05"/);
    expect(page).to.include("2026 (America/New_York, worst state of the day's runs)");
  });

  it('takes the worst state of a day: failed over cancelled over running over success', async () => {
    const rows = [
      { day: '2026-03-01', state: 'success', runs: 3 },
      { day: '2026-03-01', state: 'cancelled', runs: 1 },
      { day: '2026-03-01', state: 'failed', runs: 1 },
      { day: '2026-03-02', state: 'running', runs: 1 },
      { day: '2026-03-02', state: 'success', runs: 2 },
      { day: '2026-03-03', state: 'success', runs: 1 },
      { day: '2026-03-04', state: 'running', runs: 1 },
      { day: '2026-03-04', state: 'cancelled', runs: 1 },
    ];
    const engine = { runStatesByDay: async () => rows } as unknown as RouteDeps['engine'];
    const cal = await runCalendarOf({ engine }, { id: 'x', timezone: 'UTC' }, 2026);
    expect(cal.days.map((d) => [d.day, d.worst])).to.deep.equal([
      ['2026-03-01', 'failed'],
      ['2026-03-02', 'running'],
      ['2026-03-03', 'success'],
      ['2026-03-04', 'cancelled'],
    ]);
    expect(cal.days[0]!.runs).to.deep.equal({ running: 0, success: 3, failed: 1, cancelled: 1 });
  });

  it('answers 404 for the graph of an unknown DAG', async () => {
    expect((await get('/api/dags/nope/graph')).status).to.equal(404);
  });
});
