import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WAREFLOW = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'wareflow.js');

/** One `wareflow <role>` child process; its last log lines are kept for a failure message. */
export class Role {
  private child: ChildProcess | undefined;
  private log = '';

  constructor(
    readonly name: string,
    private readonly args: string[],
    private readonly env: () => Promise<Record<string, string>>,
  ) {}

  async start(): Promise<this> {
    const child = spawn(process.execPath, [WAREFLOW, ...this.args], {
      env: { ...process.env, ...(await this.env()) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (d: Buffer) => {
      this.log = (this.log + d.toString()).slice(-8_000);
    });
    this.child = child;
    return this;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends `signal` and resolves with the exit code (null when a signal ended it). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    if (!child || !this.running()) return child?.exitCode ?? null;
    const exited = once(child, 'exit') as Promise<[number | null]>;
    child.kill(signal);
    const [code] = await exited;
    return code;
  }

  tail(lines = 15): string {
    return `--- ${this.name} ---\n${this.log.trimEnd().split('\n').slice(-lines).join('\n')}`;
  }
}

/** Runs `wareflow ARGS` to its end and resolves with its stdout; rejects with its stderr. */
export async function wareflow(args: string[], env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [WAREFLOW, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`wareflow ${args.join(' ')} exited with ${code}: ${err.slice(-2_000)}`);
  return out;
}
