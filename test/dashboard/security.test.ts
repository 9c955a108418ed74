import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { pino } from 'pino';
import { hashPassword, readUsers, writeUsers } from '../../dashboard/index.js';
import { waitFor } from '../support/wait.js';
import { basic, json, login, PUBLIC_READ, startServer, TOKEN, type TestServer } from './server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HTML = { accept: 'text/html,application/xhtml+xml' };

/** `wareflow users …` with `stdin` piped in; its exit code and output. */
async function users(
  args: string[],
  file: string,
  stdin = '',
): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/wareflow.js'), 'users', ...args], {
    cwd: ROOT,
    env: { ...process.env, DASHBOARD_USERS_FILE: file, LOG_LEVEL: 'silent' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  child.stdin.end(stdin);
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, out };
}

/** Secure by default: who may read, who may mutate, and how often anyone may guess. */
describe('dashboard security', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  let s: TestServer;
  const logs: Array<Record<string, unknown>> = [];

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'wareflow-users-'));
    file = path.join(dir, 'users');
    const added = await users(['add', 'alice', '--role', 'operator'], file, 'alice-password-1\n');
    expect(added, added.out).to.include({ code: 0 });
    // The viewer is written through the same module the command uses (one CLI run is enough).
    const all = await readUsers(file);
    all.set('victor', { role: 'viewer', hash: await hashPassword('victor-password-1') });
    await writeUsers(file, all);
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line));
        done();
      },
    });
    s = await startServer({
      worker: true,
      env: { DASHBOARD_USERS_FILE: file },
      logger: pino({ level: 'info' }, sink),
    });
  });
  after(async () => {
    await s?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe('reads need a login by default', () => {
    it('sends an anonymous browser asking for a page to the login form, with the page to come back to', async () => {
      for (const page of ['/', '/dags/demo_etl', '/stock?sku=A', '/alerts', '/no-such-page']) {
        const response = await fetch(`${s.url}${page}`, { redirect: 'manual', headers: HTML });
        expect(response.status, page).to.equal(303);
        expect(response.headers.get('location')).to.equal(`/login?next=${encodeURIComponent(page)}`);
      }
      expect((await fetch(`${s.url}/login`, { headers: HTML })).status).to.equal(200);
    });

    it('answers an anonymous API read 401 with a JSON message and WWW-Authenticate', async () => {
      for (const api of ['/api/dags', '/api/runs', '/api/alerts', '/api/dags/demo_etl/runs']) {
        const response = await fetch(`${s.url}${api}`);
        expect(response.status, api).to.equal(401);
        expect(response.headers.get('www-authenticate')).to.match(/^Basic realm="wareflow"/);
        expect(((await response.json()) as { error: string }).error).to.match(/credentials required/);
      }
    });

    it('keeps /health and /metrics open, with the state of each check and no business data', async () => {
      const health = await fetch(`${s.url}/health`);
      expect(health.status).to.equal(200);
      const report = (await health.json()) as Record<string, unknown>;
      expect(Object.keys(report).sort()).to.deep.equal(['checks', 'down', 'status']);
      expect(Object.keys(report.checks as object).sort()).to.deep.equal(['kafka', 'postgres', 'redis']);
      const metrics = await fetch(`${s.url}/metrics`);
      expect(metrics.status).to.equal(200);
      expect(await metrics.text()).to.not.match(/sku=|conf=/);
    });
  });

  describe('roles', () => {
    it('lets a viewer read pages and the API', async () => {
      const api = await fetch(`${s.url}/api/dags`, {
        headers: { authorization: basic('victor', 'victor-password-1') },
      });
      expect(api.status).to.equal(200);
      const { jar } = await login(s.url, 'victor', 'victor-password-1');
      const page = await fetch(`${s.url}/dags/demo_etl`, { headers: { cookie: jar.header() } });
      expect(page.status).to.equal(200);
      const html = await page.text();
      expect(html).to.include('demo_etl');
      // No buttons a viewer could only be refused for, and no link to Bull Board.
      expect(html).to.not.include('id="trigger-button"');
      expect(html).to.not.include('href="/admin/queues"');
    });

    it('refuses a viewer every mutation and Bull Board with 403 and a message, changing nothing', async () => {
      const viewer = basic('victor', 'victor-password-1');
      const runs = async () =>
        Number((await s.harness.db.knex('orchestrator.dag_runs').count({ n: '*' }))[0]!.n);
      const before = await runs();
      const trigger = await fetch(`${s.url}/api/dags/demo_etl/runs`, json({ conf: {} }, viewer));
      expect(trigger.status).to.equal(403);
      expect(((await trigger.json()) as { error: string }).error).to.equal(
        'victor is a viewer: only an operator may do this',
      );
      const pause = await fetch(`${s.url}/api/dags/demo_etl`, {
        ...json({ is_paused: true }, viewer),
        method: 'PATCH',
      });
      expect(pause.status).to.equal(403);
      const board = await fetch(`${s.url}/admin/queues/api/queues`, { headers: { authorization: viewer } });
      expect(board.status).to.equal(403);

      const { jar, csrf } = await login(s.url, 'victor', 'victor-password-1');
      const form = await fetch(`${s.url}/dags/demo_etl/trigger`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
        body: new URLSearchParams({ _csrf: csrf }),
      });
      expect(form.status).to.equal(403);
      expect(await runs()).to.equal(before);
    });

    it('lets an operator from the users file mutate and open Bull Board; the token is an operator too', async () => {
      const alice = basic('alice', 'alice-password-1');
      const trigger = await fetch(`${s.url}/api/dags/demo_etl/runs`, json({ conf: {} }, alice));
      expect(trigger.status).to.equal(201);
      expect(
        (await fetch(`${s.url}/admin/queues/api/queues`, { headers: { authorization: alice } })).status,
      ).to.equal(200);
      const byToken = await fetch(`${s.url}/api/dags/demo_etl/runs`, json({ conf: {} }, `Bearer ${TOKEN}`));
      expect(byToken.status).to.equal(201);
    });
  });

  describe('the users file written by `wareflow users`', () => {
    it('holds a salted scrypt hash per user, never the password, readable by its owner only', async () => {
      const text = await readFile(file, 'utf8');
      expect(text).to.not.include('alice-password-1');
      const [alice, victor] = ['alice', 'victor'].map((name) =>
        new RegExp(
          `^${name}:(operator|viewer):scrypt\\$N=\\d+,r=\\d+,p=\\d+\\$([\\w-]+)\\$[\\w-]+$`,
          'm',
        ).exec(text)!,
      );
      expect(alice![1]).to.equal('operator');
      expect(victor![1]).to.equal('viewer');
      expect(alice![2], 'a salt of its own').to.not.equal(victor![2]);
      expect((await stat(file)).mode & 0o077).to.equal(0);
    });

    it('logs in with the form as a user the command added', async () => {
      const { jar } = await login(s.url, 'alice', 'alice-password-1');
      const page = await fetch(`${s.url}/dags/demo_etl`, { headers: { cookie: jar.header() } });
      expect(await page.text()).to.include('id="trigger-button"');
    });

    it('answers bad input with one line and exit code 2', async () => {
      for (const [args, stdin, message] of [
        [['add', 'bad:name', '--role', 'viewer'], 'long-enough-1\n', /user name must be/],
        [['add', 'carol', '--role', 'admin'], 'long-enough-1\n', /--role must be viewer or operator/],
        [['add', 'carol', '--role', 'viewer'], 'short\n', /at least 8 characters/],
        [['remove', 'nobody'], '', /no user 'nobody'/],
      ] as const) {
        const { code, out } = await users([...args], file, stdin);
        expect(code, out).to.equal(2);
        expect(out.trim().split('\n'), out).to.have.length(1);
        expect(out).to.match(message);
      }
      expect((await users(['list'], file)).out).to.match(/alice\s+operator\n[\s\S]*victor\s+viewer/);
    });

    it('takes a removed user away from the running dashboard, sessions included', async () => {
      const { jar } = await login(s.url, 'alice', 'alice-password-1');
      expect((await users(['remove', 'alice'], file)).code).to.equal(0);
      await waitFor('the removal to be noticed', async () => {
        const r = await fetch(`${s.url}/api/dags`, { headers: { cookie: jar.header() } });
        return r.status === 401;
      });
      const basicAgain = await fetch(`${s.url}/api/dags`, {
        headers: { authorization: basic('alice', 'alice-password-1') },
      });
      expect(basicAgain.status).to.equal(401);
    });
  });

  describe('one throttle for every way to log in', () => {
    beforeEach(async () => {
      const keys = await s.harness.redis.keys(`${s.harness.prefix}:dashboard:auth-failures:*`);
      if (keys.length > 0) await s.harness.redis.del(...keys);
    });

    it('answers the 11th wrong Basic password 429 with Retry-After, and then refuses the right one too', async () => {
      const wrong = { headers: { authorization: basic('victor', 'guess') } };
      for (let i = 1; i <= 10; i++)
        expect((await fetch(`${s.url}/api/dags`, wrong)).status, `try ${i}`).to.equal(401);
      const eleventh = await fetch(`${s.url}/api/dags`, wrong);
      expect(eleventh.status).to.equal(429);
      const retryAfter = Number(eleventh.headers.get('retry-after'));
      expect(retryAfter).to.be.within(1, 900);
      expect(((await eleventh.json()) as { error: string }).error).to.match(
        /too many failed logins for this user or from this address: try again in \d+ minutes/,
      );
      const right = await fetch(`${s.url}/api/dags`, {
        headers: { authorization: basic('victor', 'victor-password-1') },
      });
      expect(right.status).to.equal(429);
      // The same count holds for the form: the locked user cannot log in there either.
      await expectLoginRefused('victor', 'victor-password-1');
    });

    it('counts the form, Basic and bearer failures of one address together, and a success resets the user', async () => {
      // 9 wrong passwords for one user, then the right one: the user's count starts again.
      for (let i = 0; i < 9; i++)
        await fetch(`${s.url}/api/dags`, { headers: { authorization: basic('operator', 'x') } });
      expect((await fetch(`${s.url}/api/dags`, { headers: { authorization: basic() } })).status).to.equal(
        200,
      );
      expect(
        (await fetch(`${s.url}/api/dags`, { headers: { authorization: basic('operator', 'x') } })).status,
      ).to.equal(401);
      // Guessing across names and tokens from one address: 30 failures in all lock the address.
      for (let i = 0; i < 10; i++)
        await fetch(`${s.url}/api/dags`, { headers: { authorization: `Bearer wrong-token-${i}` } });
      for (let i = 0; i < 10; i++)
        await fetch(`${s.url}/api/dags`, { headers: { authorization: basic(`nobody${i}`, 'x') } });
      const bearer = await fetch(`${s.url}/api/dags`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(bearer.status).to.equal(429);
      expect(bearer.headers.get('retry-after')).to.match(/^\d+$/);
    });

    it('writes one login event per attempt: user, method, address and outcome', async () => {
      logs.length = 0;
      await fetch(`${s.url}/api/dags`, { headers: { authorization: basic('victor', 'nope') } });
      await fetch(`${s.url}/api/dags`, { headers: { authorization: basic('victor', 'victor-password-1') } });
      await fetch(`${s.url}/api/dags`, { headers: { authorization: 'Bearer nope-nope-nope' } });
      await login(s.url, 'victor', 'victor-password-1');
      const events = logs
        .filter((l) => l.event === 'login')
        .map((l) => [l.user, l.method, l.outcome, typeof l.address === 'string' && l.address !== '']);
      expect(events).to.deep.equal([
        ['victor', 'basic', 'failure', true],
        ['victor', 'basic', 'success', true],
        ['token', 'bearer', 'failure', true],
        ['victor', 'form', 'success', true],
      ]);
      expect(JSON.stringify(logs)).to.not.include('victor-password-1');
    });
  });

  async function expectLoginRefused(user: string, password: string): Promise<void> {
    const form = await fetch(`${s.url}/login`);
    const cookie = form.headers.getSetCookie()[0]!.split(';')[0]!;
    const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
    const posted = await fetch(`${s.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...HTML },
      body: new URLSearchParams({ user, password, _csrf: token }),
    });
    expect(posted.status).to.equal(429);
    expect(posted.headers.get('retry-after')).to.match(/^\d+$/);
    expect(posted.headers.getSetCookie().join(';')).not.to.match(/wareflow_session=[^;]/);
  }
});

describe('dashboard with DASHBOARD_PUBLIC_READ=true', function () {
  let s: TestServer;
  before(async () => {
    s = await startServer({ env: { ...PUBLIC_READ, METRICS_TOKEN: 'metrics-token-0123456789' } });
  });
  after(async () => {
    await s?.close();
  });

  it('opens pages and API reads to anonymous visitors, without mutation buttons', async () => {
    expect((await fetch(`${s.url}/api/dags`)).status).to.equal(200);
    const page = await fetch(`${s.url}/dags/demo_etl`, { headers: HTML });
    expect(page.status).to.equal(200);
    expect(await page.text()).to.not.include('id="trigger-button"');
  });

  it('opens reads only: mutations and Bull Board still need an operator', async () => {
    const trigger = await fetch(`${s.url}/api/dags/demo_etl/runs`, json({ conf: {} }));
    expect(trigger.status).to.equal(401);
    const board = await fetch(`${s.url}/admin/queues/api/queues`);
    expect(board.status).to.equal(401);
    const boardPage = await fetch(`${s.url}/admin/queues`, { redirect: 'manual', headers: HTML });
    expect(boardPage.status).to.equal(303);
  });

  it('serves /metrics only with Authorization: Bearer METRICS_TOKEN when it is set; /health stays open', async () => {
    const anonymous = await fetch(`${s.url}/metrics`);
    expect(anonymous.status).to.equal(401);
    expect(anonymous.headers.get('www-authenticate')).to.match(/^Bearer/);
    const wrong = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(wrong.status).to.equal(401);
    const right = await fetch(`${s.url}/metrics`, {
      headers: { authorization: 'Bearer metrics-token-0123456789' },
    });
    expect(right.status).to.equal(200);
    expect(await right.text()).to.match(/^# HELP /m);
    expect((await fetch(`${s.url}/health`)).status).to.equal(200);
  });
});
