import { expect } from 'chai';
import { defineDag, getTaskLog, task, triggerRun, waitForRun } from '../../engine/index.js';
import { startHarness, type Harness } from '../engine/harness.js';
import { waitFor } from '../support/wait.js';

let release: () => void = () => undefined;

const live = defineDag({
  id: 'live_log',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tasks: {
    talk: task(async (ctx) => {
      ctx.log.info('reading snapshots', { rows: 150 });
      await new Promise<void>((resolve) => {
        release = resolve;
        ctx.signal.addEventListener('abort', () => resolve());
      });
      ctx.log.info('wrote pairs', { rows: 150 });
      return { pairs: 150 };
    }),
  },
});

describe('task logs stored as they are written', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness([live]);
    h.startWorker();
  });
  after(async () => {
    release();
    await h?.close();
  });

  it("shows a running task's first lines before it ends, then its last lines and output", async () => {
    const run = await triggerRun(h.engine, 'live_log');
    const first = await waitFor(
      'the first line while the task runs',
      async () => {
        const view = await getTaskLog(h.engine, run.id, 'talk');
        return view.tries[0]?.lines.some((l) => l.message === 'reading snapshots') ? view : undefined;
      },
      { timeoutMs: 3_000 },
    );
    expect(first.state).to.equal('running');
    expect(first.final).to.equal(false);
    expect(first.tries.map((t) => [t.tryNumber, t.state])).to.deep.equal([[1, 'running']]);
    expect(first.tries[0]!.lines.map((l) => [l.source, l.fields.event ?? l.message])).to.deep.equal([
      ['engine', 'queued'],
      ['engine', 'started'],
      ['task', 'reading snapshots'],
    ]);

    release();
    await waitForRun(h.engine, run.id, { pollMs: 20 });
    // A poller asks only for what came after the last line it has.
    const rest = await getTaskLog(h.engine, run.id, 'talk', { afterId: first.lastId! });
    expect(rest.tries[0]!.lines.map((l) => l.fields.event ?? l.message)).to.deep.equal([
      'wrote pairs',
      'succeeded',
    ]);
    expect(rest.tries[0]!.lineCount).to.equal(5);
    expect(rest).to.include({ state: 'success', final: true, tryNumber: 1 });
    expect(rest.output).to.deep.equal({ pairs: 150 });
    expect(rest.lastId).to.be.above(first.lastId!);
    const none = await getTaskLog(h.engine, run.id, 'talk', { afterId: rest.lastId! });
    expect(none.tries[0]!.lines).to.deep.equal([]);
    expect(none.lastId).to.equal(rest.lastId);
  });
});
