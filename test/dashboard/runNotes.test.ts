import { expect } from 'chai';
import { basic, json, login, startServer, TOKEN, USER, type TestServer } from './server.js';

const BEARER = `Bearer ${TOKEN}`;
const FIRST = 'Rerun after the <script>alert(1)</script> fix.\nSee ticket 42.';
const SECOND = 'Known slow day: the upstream export was late.';

/** A run's note: plain text, set by operators from the run page or the API, shown where runs are. */
describe('dashboard: run notes', function () {
  this.timeout(60_000);
  let s: TestServer;
  let runId: number;
  const put = (note: unknown, auth = BEARER, id = runId) =>
    fetch(`${s.url}/api/dags/demo_etl/runs/${id}/note`, { ...json({ note }, auth), method: 'PUT' });
  const notes = () => s.harness.db.knex('orchestrator.audit_log').where({ action: 'run.note' }).orderBy('id');

  before(async () => {
    s = await startServer();
    const created = await fetch(`${s.url}/api/dags/demo_etl/runs`, json({}, BEARER));
    runId = ((await created.json()) as { id: number }).id;
  });
  after(async () => s?.close());

  it('saves a note from the run page and shows it as escaped text with its line breaks', async () => {
    const { jar, csrf } = await login(s.url);
    const text = FIRST;
    const saved = await fetch(`${s.url}/dags/demo_etl/runs/${runId}/note`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
      body: new URLSearchParams({ note: text, _csrf: csrf }),
    });
    expect(saved.status).to.equal(303);
    expect(saved.headers.get('location')).to.match(/flash=note%20saved#run-note$/);
    const html = await (
      await fetch(`${s.url}/dags/demo_etl/runs/${runId}`, { headers: { cookie: jar.header() } })
    ).text();
    expect(html).to.include(
      '<p class="note" id="run-note-text">Rerun after the &lt;script&gt;alert(1)&lt;/script&gt; fix.\nSee ticket 42.</p>',
    );
    expect(html).to.not.include('<script>alert(1)');
    expect(html).to.include(`by ${USER}`).and.to.include('<textarea name="note"');

    const [entry] = await notes();
    expect(entry).to.include({ actor: USER, source: 'ui', dag_id: 'demo_etl', run_id: runId, outcome: 'ok' });
    // The lengths, never the text.
    expect(entry.detail).to.deep.equal({ old_length: 0, new_length: [...text].length });
  });

  it('sets a note through PUT, shows it in the run, the run list and the grid, and audits the edit', async () => {
    const response = await put(SECOND);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.include({
      dag_id: 'demo_etl',
      run_id: runId,
      note: SECOND,
      updated_by: 'token:DASHBOARD_TOKEN',
    });
    const run = (await (
      await fetch(`${s.url}/api/runs/${runId}`, { headers: { authorization: basic() } })
    ).json()) as {
      note: string;
    };
    expect(run.note).to.equal(SECOND);
    const list = await (await fetch(`${s.url}/runs`, { headers: { authorization: basic() } })).text();
    expect(list).to.include('title="Known slow day: the upstream export was late."');
    const grid = await (
      await fetch(`${s.url}/dags/demo_etl`, { headers: { authorization: basic() } })
    ).text();
    expect(grid).to.match(/title="manual · [^"]* · note: Known slow day/);

    const last = (await notes()).at(-1);
    expect(last).to.include({ actor: 'token:DASHBOARD_TOKEN', source: 'api', run_id: runId });
    expect(last.detail).to.deep.equal({ old_length: FIRST.length, new_length: SECOND.length });
  });

  it('refuses a note over 4,000 characters with 400, an anonymous PUT with 401, keeping the note', async () => {
    const tooLong = await put('x'.repeat(4001));
    expect(tooLong.status).to.equal(400);
    expect(((await tooLong.json()) as { error: string }).error).to.match(/at most 4000 characters/);
    expect((await put('🙂'.repeat(4000))).status, '4,000 characters, 8,000 UTF-16 units').to.equal(200);
    expect((await put('a', '')).status).to.equal(401);
    expect((await put(42)).status).to.equal(400);
    expect((await put('a', BEARER, 999_999)).status).to.equal(404);
    const { note } = (await (
      await fetch(`${s.url}/api/dags/demo_etl/runs/${runId}/note`, { headers: { authorization: basic() } })
    ).json()) as { note: string };
    expect([...note]).to.have.length(4000);
  });

  it('removes the note when it is set blank', async () => {
    const response = await put('  \n ');
    expect(await response.json()).to.include({ note: null, updated_by: null });
    const html = await (
      await fetch(`${s.url}/dags/demo_etl/runs/${runId}`, { headers: { authorization: basic() } })
    ).text();
    expect(html).to.include('No note.');
    expect((await notes()).at(-1).detail).to.deep.equal({ old_length: 4000, new_length: 0 });
  });
});
