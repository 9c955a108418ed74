import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { EXIT_ABANDONED } from '../../platform/index.js';
import { waitFor } from '../support/wait.js';

const PLATFORM = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../platform/index.ts');

/** A process that stops one part that never finishes (as a close waiting on a dead PostgreSQL). */
const SCRIPT = `
import net from 'node:net';
import { createLogger, stopSignal, stopWithin } from ${JSON.stringify(PLATFORM)};
const logger = createLogger({ level: 'info', name: 'stuck' });
const server = net.createServer().listen(0);
process.stdout.write('ready\\n');
const signal = await stopSignal();
await stopWithin(
  [
    { name: 'quick', close: async () => undefined },
    { name: 'stuck', close: () => new Promise(() => undefined), inHand: () => ({ runningTries: ['7/load/1'] }) },
  ],
  { graceMs: 1500, logger, signal },
);
server.close();
`;

describe('stopWithin', () => {
  it('exits with the abandon code once the grace runs out, logging what each unfinished part held and the open handles', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = once(child, 'exit') as Promise<[number | null]>;
    await waitFor('the child to run', () => out.includes('ready'), { timeoutMs: 30_000 });
    const t0 = Date.now();
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code, err).to.equal(EXIT_ABANDONED);
    expect(Date.now() - t0).to.be.within(1_400, 4_000);
    const line = err.split('\n').find((l) => l.includes('shutdown abandoned'));
    const entry = JSON.parse(line!) as {
      why: string;
      abandoned: Array<{ part: string; inHand: unknown }>;
      open: Record<string, number>;
    };
    expect(entry.why).to.equal('grace ran out');
    expect(entry.abandoned).to.deep.equal([{ part: 'stuck', inHand: { runningTries: ['7/load/1'] } }]);
    expect(entry.open.TCPServerWrap).to.equal(1);
  });
});
