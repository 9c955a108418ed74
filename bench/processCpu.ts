import { readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * CPU seconds (user + system) a process has used so far, read from Linux's /proc; undefined
 * where there is no /proc or the process is gone. The benchmarks use it to say where the time of
 * a phase went (the sidecar's own thread, or PostgreSQL's backends serving it).
 */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** The sum of `cpuSeconds` over processes; undefined when none of them could be read. */
export function totalCpuSeconds(pids: readonly number[]): number | undefined {
  let total: number | undefined;
  for (const pid of pids) {
    const s = cpuSeconds(pid);
    if (s !== undefined) total = (total ?? 0) + s;
  }
  return total;
}

/** USER_HZ: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS = os.platform() === 'linux' ? 100 : 1;
