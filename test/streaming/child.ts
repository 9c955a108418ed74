import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import type { Config } from '../../platform/index.js';
import { streamingEnv } from './support.js';

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0);
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  server.close();
  return port;
}

/** One `wareflow streaming` child process of the crash specs. */
export interface StreamingChild {
  child: ChildProcess;
  /** The tail of its stderr, for a failure message. */
  log: () => string;
  /**
   * Resolves once its metrics server answers: the process is past its start and listens for
   * SIGTERM (a signal during the start meets Node's default, an exit by signal with no code).
   */
  started: () => Promise<void>;
}

/** Starts `wareflow streaming` with `config` (a short session timeout, so a killed member's partitions move on soon). */
export async function startChild(config: Config): Promise<StreamingChild> {
  let log = '';
  const port = await freePort();
  const child = spawn(process.execPath, ['bin/wareflow.js', 'streaming', '--session-timeout-ms', '6000'], {
    env: streamingEnv(config, port),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-20_000);
  });
  const started = async () => {
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      // Any answer will do (503 while a dependency is down): the server is up.
      const answered = await fetch(`http://127.0.0.1:${port}/health`).then(
        () => true,
        () => false,
      );
      if (answered) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the sidecar on port ${port} did not start within 60 s\n${log}`);
  };
  return { child, log: () => log, started };
}
