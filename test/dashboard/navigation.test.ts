import { expect } from 'chai';
import { defineDag, task } from '../../engine/index.js';
import { waitFor } from '../support/wait.js';
import {
  apiClient,
  basic,
  demoDag,
  failingDag,
  json,
  startServer,
  PUBLIC_READ,
  type TestServer,
} from './server.js';

/** A task that logs several lines, so "lines after an id" has something to leave out. */
const chattyDag = defineDag({
  id: 'chatty',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tasks: {
    talk: task(async (ctx) => {
      ctx.log.info('first line');
      ctx.log.info('second line', { n: 2 });
      ctx.log.warn('third line');
      return { said: 3 };
    }),
  },
});

const title = (html: string) => /<title>([^<]*)<\/title>/.exec(html)?.[1];
const h1 = (html: string) =>
  /<h1>([\s\S]*?)<\/h1>/
    .exec(html)?.[1]
    ?.replace(/<[^>]+>/g, '')
    .replace(/\s+/g, ' ')
    .trim();

/** Every address a user would guess, the 404 page, titles that say where you are, and the log API. */
describe('dashboard navigation', function () {
  let s: TestServer;
  const runs: Record<string, number> = {};

  before(async () => {
    s = await startServer({ worker: true, dags: [demoDag, failingDag, chattyDag], env: PUBLIC_READ });
    for (const dagId of ['demo_etl', 'always_fails', 'chatty']) {
      const created = await fetch(`${s.url}/api/dags/${dagId}/runs`, json({}, basic()));
      runs[dagId] = ((await created.json()) as { id: number }).id;
    }
    await waitFor('the three runs to end', async () => {
      const rows = await s.harness.db.knex('orchestrator.dag_runs').whereNot('state', 'running');
      return rows.length === 3;
    });
  });
  after(async () => {
    await s?.close();
  });

  const { get } = apiClient(() => s);
  const page = async (path: string, accept = 'text/html') => {
    const response = await fetch(`${s.url}${path}`, { headers: { accept } });
    return {
      status: response.status,
      html: await response.text(),
      type: response.headers.get('content-type'),
    };
  };

  it('serves the DAG list at /dags as well as /, and names it in the title and heading', async () => {
    for (const path of ['/', '/dags']) {
      const { status, html } = await page(path);
      expect(status, path).to.equal(200);
      expect(title(html)).to.equal('DAGs · wareflow');
      expect(h1(html)).to.equal('DAGs');
      expect(html).to.include('data-dag="demo_etl"');
    }
    const nav = (await page('/dags')).html;
    expect(nav).to.match(/<a href="\/dags" class="active">DAGs<\/a>/);
    expect(nav).to.include('<a href="/runs" class="">Runs</a>');
    expect(nav).to.include('<a href="/backfills" class="">Backfills</a>');
  });

  it('lists recent runs across DAGs at /runs, filtered by DAG and state, a page at a time', async () => {
    const all = await page('/runs');
    expect(all.status).to.equal(200);
    expect(title(all.html)).to.equal('Runs · wareflow');
    for (const id of Object.values(runs)) expect(all.html).to.include(`data-run-id="${id}"`);

    const failed = await page('/runs?state=failed&dag=');
    expect(failed.html).to.include(`data-run-id="${runs.always_fails}"`);
    expect(failed.html).not.to.include(`data-run-id="${runs.demo_etl}"`);

    const ofDemo = await page('/runs?dag=demo_etl');
    expect(title(ofDemo.html)).to.equal('Runs of demo_etl · wareflow');
    expect(ofDemo.html).to.include(`data-run-id="${runs.demo_etl}"`);
    expect(ofDemo.html).not.to.include(`data-run-id="${runs.chatty}"`);

    const first = await page('/runs?limit=2');
    expect(first.html.match(/<tr data-run-id=/g)).to.have.length(2);
    expect(first.html).to.include('href="/runs?offset=2&amp;limit=2">older →</a>');
    const second = await page('/runs?limit=2&offset=2');
    expect(second.html.match(/<tr data-run-id=/g)).to.have.length(1);
    expect(second.html).to.include('← newer');
    expect(second.html).not.to.include('older →');

    expect((await page('/runs?dag=nope')).status).to.equal(404);
    expect((await page('/runs?state=exploded')).status).to.equal(400);
  });

  it('lists the backfills of every DAG at /backfills', async () => {
    const started = await get(
      '/api/dags/demo_etl/backfills',
      json({ from: '2026-01-01', to: '2026-01-02' }, basic()),
    );
    expect(started.status).to.equal(201);
    const { status, html } = await page('/backfills');
    expect(status).to.equal(200);
    expect(title(html)).to.equal('Backfills · wareflow');
    expect(html).to.include(`data-backfill="${started.body.id}"`);
    expect(html).to.include('<a href="/dags/demo_etl/backfills">demo_etl</a>');
  });

  it('answers an unknown path with a 404 page that has the nav and links on, or JSON when asked', async () => {
    const { status, html } = await page('/no/such/page');
    expect(status).to.equal(404);
    expect(title(html)).to.equal('Not found · wareflow');
    expect(html).to.include('<code>/no/such/page</code>');
    expect(html).to.match(/<nav>[\s\S]*href="\/runs"[\s\S]*<\/nav>/);
    expect(html).to.match(/class="not-found-links"[\s\S]*href="\/stream"/);

    const asJson = await page('/no/such/page', 'application/json');
    expect(asJson.status).to.equal(404);
    expect(JSON.parse(asJson.html)).to.deep.equal({ error: 'no page at /no/such/page' });

    const api = await page('/api/no/such/endpoint');
    expect(api.status).to.equal(404);
    expect(api.type).to.match(/application\/json/);
    expect(JSON.parse(api.html)).to.have.property('error');

    // A page for something that does not exist gets the same help, with the reason.
    const run = await page('/dags/demo_etl/runs/999999');
    expect(run.status).to.equal(404);
    expect(run.html).to.include('run 999999 of demo_etl not found');
    expect(run.html).to.match(/class="not-found-links"/);
  });

  it('titles and heads the DAG, run and task pages with where you are', async () => {
    const run = await s.harness.db.knex('orchestrator.dag_runs').where('id', runs.demo_etl).first();
    const day = new Date(run.logical_date).toISOString().slice(0, 16).replace('T', ' ');
    const label = day.endsWith(' 00:00') ? day.slice(0, 10) : day;

    expect(title((await page('/dags/demo_etl')).html)).to.equal('demo_etl · DAG · wareflow');
    const runPage = (await page(`/dags/demo_etl/runs/${runs.demo_etl}`)).html;
    expect(title(runPage)).to.equal(`demo_etl · run ${label} · wareflow`);
    expect(h1(runPage)).to.equal(`demo_etl · run ${label} success`);
    const taskPage = (await page(`/dags/demo_etl/runs/${runs.demo_etl}/tasks/extract`)).html;
    expect(title(taskPage)).to.equal(`extract · demo_etl · run ${label} · wareflow`);
    expect(h1(taskPage)).to.equal(`extract · demo_etl · run ${label} success`);
    expect(title((await page('/dags/demo_etl/backfills')).html)).to.equal('demo_etl · backfills · wareflow');
    expect(title((await page('/stream')).html)).to.equal('Stream · tumbling_1m · wareflow');
  });

  it('returns only the log lines after a given id, and the output once the try is final', async () => {
    const base = `/api/runs/${runs.chatty}/tasks/talk/logs?try=1`;
    const all = await get(base);
    expect(all.status).to.equal(200);
    const talk = all.body.lines.filter((l: any) => /line$/.test(l.message));
    expect(talk.map((l: any) => l.message)).to.deep.equal(['first line', 'second line', 'third line']);
    expect(all.body).to.include({ state: 'success', final: true });
    expect(all.body.output).to.deep.equal({ said: 3 });

    const afterFirst = await get(`${base}&after=${talk[0].id}`);
    expect(afterFirst.body.after).to.equal(Number(talk[0].id));
    expect(afterFirst.body.lines.every((l: any) => Number(l.id) > Number(talk[0].id))).to.equal(true);
    expect(afterFirst.body.lines.map((l: any) => l.message)).to.include.members([
      'second line',
      'third line',
    ]);
    expect(afterFirst.body.lines.map((l: any) => l.message)).not.to.include('first line');
    const afterLast = await get(`${base}&after=${all.body.lines.at(-1).id}`);
    expect(afterLast.body.lines).to.deep.equal([]);
    expect((await get(`${base}&after=-1`)).status).to.equal(400);

    // The task page hands its script where to poll and from which line on.
    const html = (await page(`/dags/chatty/runs/${runs.chatty}/tasks/talk`)).html;
    expect(html).to.include(`data-log-url="/api/runs/${runs.chatty}/tasks/talk/logs?try=1"`);
    expect(html).to.include(`data-log-after="${all.body.lines.at(-1).id}"`);
    expect(html).to.include('data-log-final="yes"');
    expect(html).to.include('&quot;said&quot;: 3');
  });
});
