import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** A command that could not be found on PATH (ENOENT), as opposed to one that failed. */
export class CommandNotFoundError extends Error {
  constructor(readonly command: string) {
    super(`${command}: command not found`);
  }
}

/** Runs a program (no shell) and resolves with its output; rejects with its stderr on failure. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env, timeout: options.timeoutMs ?? 0, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT')
            return reject(new CommandNotFoundError(command));
          const output = `${stderr}\n${stdout}`.trim().split('\n').slice(-15).join('\n');
          return reject(
            new Error(`${command} ${args.join(' ')} failed: ${output || err.message}`, { cause: err }),
          );
        }
        resolve({ stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** Whether a program exists on PATH. */
export async function hasCommand(command: string): Promise<boolean> {
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  for (const dir of dirs) {
    try {
      await fs.access(`${dir}/${command}`, fs.constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

/** Whether something accepts TCP connections on host:port within `timeoutMs`. */
export function portOpen(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Whether a process with this id exists (and, when given, its command line contains `marker`). */
export async function processAlive(pid: number, marker?: string): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (marker === undefined) return true;
  try {
    const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.split('\0').join(' ').includes(marker);
  } catch {
    // No /proc (not Linux): trust the pid.
    return true;
  }
}

/** Reads a pid file; undefined when it is missing or does not hold a number. */
export async function readPidFile(file: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await fs.readFile(file, 'utf8')).trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Asks a process to stop (SIGTERM), waits until it is gone, and kills it (SIGKILL) when it has
 * not stopped within `graceMs`. Resolves with how it ended.
 */
export async function terminate(pid: number, graceMs: number): Promise<'terminated' | 'killed' | 'gone'> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'gone';
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!(await processAlive(pid))) return 'terminated';
    await delay(100);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'terminated';
  }
  while (await processAlive(pid)) await delay(50);
  return 'killed';
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `fn` holding an exclusive lock file, so two `services up` started at once do not both
 * start a broker on the same data folder. A lock whose holder has died is taken over.
 */
export async function withLockFile<T>(file: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fs.writeFile(file, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = await readPidFile(file);
      if (holder === undefined || !(await processAlive(holder))) {
        await fs.rm(file, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${file} is held by process ${holder}`);
      await delay(200);
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(file, { force: true });
  }
}

/** The last lines of a text file, for error messages; empty when it cannot be read. */
export async function tailFile(file: string, lines = 20): Promise<string> {
  try {
    const text = await fs.readFile(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Whether a host name means this machine, i.e. something we could start here. */
export function isLocalHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || h.startsWith('127.') || h === '0.0.0.0' || h === '';
}
