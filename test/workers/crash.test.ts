import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { getRun, getTaskLog, triggerRun, waitForRun } from '../../engine/index.js';
import { startHarness, type Harness } from '../engine/harness.js';
import { TEST_REDIS_URL } from '../support/isolation.js';
import { waitFor } from '../support/wait.js';
import { killDag } from './fixtures/killDag.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'workerChild.ts');

interface Child {
  proc: ChildProcess;
  workerId: string;
}

describe('worker crashes and shutdowns', () => {
  let h: Harness;
  let markers: string;
  const children: Child[] = [];

  async function spawnWorker(extraEnv: Record<string, string> = {}): Promise<Child> {
    const proc = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: {
        ...process.env,
        DATABASE_URL: h.db.url,
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: h.prefix,
        MARKER_DIR: markers,
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const workerId = await new Promise<string>((resolve, reject) => {
      let out = '';
      proc.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /ready (\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      proc.once('exit', (code) => reject(new Error(`worker child exited with ${code} before it was ready`)));
    });
    const child = { proc, workerId };
    children.push(child);
    return child;
  }

  const exited = (c: Child) =>
    c.proc.exitCode !== null || c.proc.signalCode !== null
      ? Promise.resolve(c.proc.exitCode)
      : new Promise<number | null>((resolve) => c.proc.once('exit', (code) => resolve(code)));

  async function slowInstance(runId: number) {
    return (await getRun(h.engine, runId))!.task_instances.find((t) => t.task_id === 'slow')!;
  }

  before(async () => {
    markers = mkdtempSync(path.join(tmpdir(), 'wareflow-crash-'));
    h = await startHarness([killDag]);
  });
  after(async () => {
    for (const c of children)
      if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    await Promise.all(children.map(exited));
    await h?.close();
    rmSync(markers, { recursive: true, force: true });
  });

  it('finishes the run on another worker when one is killed with SIGKILL mid-task, with one success', async () => {
    const [a, b] = [await spawnWorker(), await spawnWorker()];
    const run = await triggerRun(h.engine, 'kill_me');
    const running = await waitFor('slow to be running', async () => {
      const ti = await slowInstance(run.id);
      return ti.state === 'running' && ti.worker_id ? ti : undefined;
    });
    const victim = [a, b].find((c) => c.workerId === running.worker_id)!;
    const survivor = victim === a ? b : a;
    // The try is marked running before the task's code starts: kill only once it has.
    await waitFor('the task to start on the victim', async () =>
      readdirSync(markers).some((f) => f.startsWith(`start-${victim.proc.pid}-${run.id}-`)),
    );
    // Its ticks reach PostgreSQL while it runs; let it tick a while more, then kill it.
    await waitFor('a tick of the victim in the database', async () =>
      (await getTaskLog(h.engine, run.id, 'slow')).tries[0]?.lines.some((l) => l.source === 'task'),
    );
    await new Promise((r) => setTimeout(r, 400));
    const killedAt = Date.now();
    victim.proc.kill('SIGKILL');
    await exited(victim);

    const done = await waitForRun(h.engine, run.id, { pollMs: 50 });
    expect(done.state).to.equal('success');
    const slow = await slowInstance(run.id);
    expect(slow.output).to.deep.equal({ pid: survivor.proc.pid });
    const files = readdirSync(markers).filter((f) => f.endsWith(`-${run.id}-1`) || f.includes(`-${run.id}-`));
    expect(files.filter((f) => f.startsWith('start-'))).to.have.length(2);
    expect(files.filter((f) => f.startsWith('done-'))).to.deep.equal([
      `done-${survivor.proc.pid}-${run.id}-${slow.try_number}`,
    ]);
    // The killed worker kept its lines up to shortly before the kill (one flush interval, 250 ms).
    // The survivor took the same try over once its heartbeat went stale, so it logs there too.
    const lines = (await getTaskLog(h.engine, run.id, 'slow')).tries.flatMap((t) => t.lines);
    const ticks = lines.filter((l) => l.source === 'task' && l.fields.pid === victim.proc.pid);
    expect(ticks.map((l) => l.message)).to.deep.equal(ticks.map((_, i) => `tick ${i + 1}`));
    expect(ticks.length).to.be.at.least(8);
    expect(killedAt - ticks.at(-1)!.logged_at.getTime()).to.be.below(600);
    const started = lines.filter((l) => l.fields.event === 'started').map((l) => l.fields.worker_id);
    expect(started).to.deep.equal([victim.workerId, survivor.workerId]);
  });

  it('hands a running try back on SIGTERM and exits cleanly; another worker finishes it', async () => {
    for (const c of children)
      if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    // The task outlasts the shutdown grace (300 ms), so the try must be handed back.
    await Promise.all([spawnWorker({ SLOW_MS: '4000' }), spawnWorker({ SLOW_MS: '4000' })]);
    const run = await triggerRun(h.engine, 'kill_me');
    const running = await waitFor('slow to be running', async () => {
      const ti = await slowInstance(run.id);
      return ti.state === 'running' && ti.worker_id ? ti : undefined;
    });
    const holder = children.find((c) => c.workerId === running.worker_id)!;
    holder.proc.kill('SIGTERM');
    expect(await exited(holder)).to.equal(0);
    const done = await waitForRun(h.engine, run.id, { pollMs: 50 });
    expect(done.state).to.equal('success');
    const slow = await slowInstance(run.id);
    // The handed-back try did not count against retries (retries: 0) and did not complete.
    expect(slow.try_number).to.equal(2);
    const files = readdirSync(markers).filter((f) => f.includes(`-${run.id}-`));
    expect(files.filter((f) => f.startsWith('done-'))).to.have.length(1);
  });
});
