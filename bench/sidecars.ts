/**
 * The benchmarks' sidecars: `wareflow streaming` as child processes, as an operator starts them,
 * all in one consumer group when they share `KAFKA_GROUP_ID`. Each gets a free port for its
 * /health and /metrics, so several run side by side on one machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { openSync } from 'node:fs';
import { freePort } from './streamingSupport.js';

/** What a sidecar reads from its environment in a benchmark. */
export interface SidecarEnv {
  DATABASE_URL: string;
  KAFKA_TOPIC_SUFFIX: string;
  KAFKA_GROUP_ID: string;
  DATA_DIR: string;
  LOG_LEVEL: string;
}

export interface Sidecars {
  readonly children: ChildProcess[];
  /** The last 10,000 characters the sidecars wrote to stderr, for an error message. */
  log(): string;
  /** True once any of them exited. */
  anyExited(): boolean;
  /** SIGTERM to each one still running, and wait for it to exit. */
  stop(): Promise<void>;
}

export async function spawnSidecars(count: number, env: SidecarEnv): Promise<Sidecars> {
  let childLog = '';
  const children: ChildProcess[] = [];
  // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=prof" profiles the sidecar (Node refuses
  // --cpu-prof in NODE_OPTIONS).
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  for (let i = 0; i < count; i++) {
    const child = spawn(process.execPath, [...nodeArgs, 'bin/wareflow.js', 'streaming'], {
      env: { ...process.env, ...env, STREAMING_PORT: String(await freePort()) },
      // BENCH_CHILD_LOG=file keeps the (first) sidecar's whole log (with LOG_LEVEL=debug:
      // per-chunk timings), BENCH_CHILD_STDOUT=file its stdout (where V8 writes --trace-gc).
      stdio: [
        'ignore',
        process.env.BENCH_CHILD_STDOUT && i === 0 ? openSync(process.env.BENCH_CHILD_STDOUT, 'w') : 'ignore',
        process.env.BENCH_CHILD_LOG && i === 0 ? openSync(process.env.BENCH_CHILD_LOG, 'w') : 'pipe',
      ],
    });
    child.stderr?.on('data', (d: Buffer) => {
      childLog = (childLog + d.toString()).slice(-10_000);
    });
    children.push(child);
  }
  return {
    children,
    log: () => childLog,
    anyExited: () => children.some((c) => c.exitCode !== null || c.signalCode !== null),
    async stop() {
      for (const child of children) {
        if (child.exitCode !== null || child.signalCode !== null) continue;
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    },
  };
}
