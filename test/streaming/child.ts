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
}

/** Starts `wareflow streaming` with `config` (a short session timeout, so a killed member's partitions move on soon). */
export async function startChild(config: Config): Promise<StreamingChild> {
  let log = '';
  const child = spawn(process.execPath, ['bin/wareflow.js', 'streaming', '--session-timeout-ms', '6000'], {
    env: streamingEnv(config, await freePort()),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-20_000);
  });
  return { child, log: () => log };
}
