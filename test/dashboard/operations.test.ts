import { expect } from 'chai';
import { waitFor } from '../support/wait.js';
import { apiClient, basic, json, useServer, TOKEN, PUBLIC_READ, type TestServer } from './server.js';

/** The engine through the API: DAG list, trigger, clear, mark, pause and backfill. */
describe('dashboard API', function () {
  let s: TestServer;
  useServer({ worker: true, env: PUBLIC_READ }, (server) => (s = server));

  const { get, runCount } = apiClient(() => s);

  describe('reads', () => {
    it('lists the DAGs with schedule in words, paused flag, next run and params', async () => {
      const { status, body } = await get('/api/dags');
      expect(status).to.equal(200);
      const demo = body.dags.find((d: any) => d.dag_id === 'demo_etl');
      expect(demo).to.include({
        schedule: '0 2 * * *',
        schedule_description: 'every day at 02:00 UTC',
        is_paused: false,
      });
      expect(demo.tasks).to.deep.equal(['extract', 'load']);
      expect(demo.params.map((p: any) => p.name)).to.deep.equal(['days', 'label']);
      expect(new Date(demo.next_run_at).getUTCHours()).to.equal(2);
    });

    it('answers 404 for an unknown DAG and 400 for a malformed DAG id, as JSON without a stack', async () => {
      const unknown = await get('/api/dags/nope/runs');
      expect(unknown.status).to.equal(404);
      expect(unknown.body.error).to.match(/unknown DAG 'nope'/);
      const malformed = await get('/api/dags/bad%20id!/runs');
      expect(malformed.status).to.equal(400);
      expect(malformed.body.error).to.match(/dagId/);
      expect(JSON.stringify(malformed.body)).not.to.match(/\bat .*\.ts:\d+/);
    });

    it('rejects bad pagination and filters with 400', async () => {
      expect((await get('/api/dags/demo_etl/runs?limit=0')).status).to.equal(400);
      expect((await get('/api/dags/demo_etl/runs?state=exploded')).status).to.equal(400);
      expect((await get('/api/alerts?severity=apocalyptic')).status).to.equal(400);
    });
  });

  describe('trigger', () => {
    it('creates a run with Basic credentials (201) that the worker takes to success', async () => {
      const { status, body, response } = await get(
        '/api/dags/demo_etl/runs',
        json({ conf: { days: 3 } }, basic()),
      );
      expect(status).to.equal(201);
      expect(body).to.include({ dag_id: 'demo_etl', run_type: 'manual', state: 'running' });
      expect(body.conf).to.deep.equal({ days: 3, label: 'x' });
      expect(response.headers.get('location')).to.equal(`/api/runs/${body.id}`);
      const done = await waitFor('the triggered run to succeed', async () => {
        const run = await get(`/api/runs/${body.id}`);
        return run.body.state === 'success' ? run.body : undefined;
      });
      expect(done.task_instances.map((t: any) => [t.task_id, t.state])).to.deep.equal([
        ['extract', 'success'],
        ['load', 'success'],
      ]);
      const logs = await get(`/api/runs/${body.id}/tasks/extract/logs`);
      expect(logs.body.lines.map((l: any) => l.message)).to.include('extracting rows');
      const listed = await get('/api/dags/demo_etl/runs?state=success');
      expect(listed.body.runs.map((r: any) => r.id)).to.include(body.id);
    });

    it('creates a run with the Bearer token (201)', async () => {
      const { status, body } = await get('/api/dags/demo_etl/runs', json({}, `Bearer ${TOKEN}`));
      expect(status).to.equal(201);
      expect(body.conf).to.deep.equal({ days: 7, label: 'x' });
    });

    it('answers 400 with a message for bad params, bad bodies and unknown DAGs, creating nothing', async () => {
      const before = await runCount();
      const cases: Array<[RequestInit, RegExp, string?]> = [
        [json({ conf: { days: 99 } }, basic()), /days/],
        [json({ conf: { days: 'three' } }, basic()), /days/],
        [json({ conf: [] }, basic()), /conf/],
        [json({ conf: {}, extra: 1 }, basic()), /extra/],
        [{ ...json({}, basic()), body: '{"conf": ' }, /not valid JSON/],
        [json({ conf: {} }, basic()), /unknown DAG 'no_such_dag'/, '/api/dags/no_such_dag/runs'],
        [json({ conf: {} }, basic()), /dagId/, '/api/dags/bad..%3Cid%3E/runs'],
      ];
      for (const [init, message, path = '/api/dags/demo_etl/runs'] of cases) {
        const { status, body } = await get(path, init);
        expect(status, `${path} ${String(init.body)}`).to.equal(400);
        expect(body.error).to.match(message);
        expect(JSON.stringify(body)).not.to.match(/\n\s+at /);
      }
      expect(await runCount()).to.equal(before);
    });
  });

  describe('operations', () => {
    it('pauses and unpauses a DAG', async () => {
      const paused = await get('/api/dags/demo_etl', {
        ...json({ is_paused: true }, basic()),
        method: 'PATCH',
      });
      expect(paused.status).to.equal(200);
      expect(paused.body).to.include({ is_paused: true, next_run_at: null });
      const unpaused = await get('/api/dags/demo_etl', {
        ...json({ is_paused: false }, basic()),
        method: 'PATCH',
      });
      expect(unpaused.body.is_paused).to.equal(false);
    });

    it('clears a failed task, and marks a task success so the run can finish', async () => {
      const { body: run } = await get('/api/dags/always_fails/runs', json({}, basic()));
      await waitFor(
        'the run to fail',
        async () => (await get(`/api/runs/${run.id}`)).body.state === 'failed',
      );
      const failed = await get(`/api/runs/${run.id}`);
      expect(failed.body.task_instances.map((t: any) => t.state)).to.deep.equal([
        'upstream_failed',
        'failed',
      ]);

      const cleared = await get(`/api/runs/${run.id}/clear`, json({ only_failed: true }, basic()));
      expect(cleared.status).to.equal(200);
      expect(cleared.body.cleared).to.have.members(['boom', 'after']);
      await waitFor('the cleared run to fail again', async () => {
        const r = (await get(`/api/runs/${run.id}`)).body;
        return (
          r.state === 'failed' && r.task_instances.find((t: any) => t.task_id === 'boom').try_number === 2
        );
      });

      // As in Airflow, marking a task does not rerun downstream tasks that already ended: mark
      // the failed one success, then clear the skipped-by-failure one so it runs.
      const marked = await get(`/api/runs/${run.id}/tasks/boom/mark`, json({ state: 'success' }, basic()));
      expect(marked.status).to.equal(200);
      expect(marked.body.state).to.equal('success');
      const rerun = await get(`/api/runs/${run.id}/clear`, json({ task_ids: ['after'] }, basic()));
      expect(rerun.body.cleared).to.deep.equal(['after']);
      await waitFor(
        'the run to succeed',
        async () => (await get(`/api/runs/${run.id}`)).body.state === 'success',
      );

      const bad = await get(`/api/runs/${run.id}/tasks/boom/mark`, json({ state: 'exploded' }, basic()));
      expect(bad.status).to.equal(400);
      const missing = await get(`/api/runs/${run.id}/tasks/nope/mark`, json({ state: 'success' }, basic()));
      expect(missing.status).to.equal(404);
    });

    it('starts a backfill (201) and lists it with its progress', async () => {
      const created = await get(
        '/api/dags/demo_etl/backfills',
        json({ from: '2026-01-01T02:00:00Z', to: '2026-01-03T02:00:00Z', concurrency: 2 }, basic()),
      );
      expect(created.status).to.equal(201);
      expect(created.body).to.include({ dag_id: 'demo_etl', total: 3, state: 'running' });
      const listed = await get('/api/dags/demo_etl/backfills');
      expect(listed.body.backfills[0]).to.include({ id: created.body.id });
      expect(listed.body.backfills[0].progress).to.have.keys(['success', 'failed', 'running', 'cancelled']);
      const reversed = await get(
        '/api/dags/demo_etl/backfills',
        json({ from: '2026-01-03', to: '2026-01-01' }, basic()),
      );
      expect(reversed.status).to.equal(400);
    });
  });
});
