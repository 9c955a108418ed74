import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
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

/**
 * CPU seconds the whole machine has spent busy (every core, anything but idle and I/O wait) and
 * in all since boot, from /proc/stat; undefined without it.
 */
export function machineCpuSeconds(): { busy: number; total: number } | undefined {
  try {
    const first = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    // cpu user nice system idle iowait irq softirq steal (guest time is already in user)
    const ticks = first.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    return { busy: (total - ticks[3]! - ticks[4]!) / CLOCK_TICKS, total: total / CLOCK_TICKS };
  } catch {
    return undefined;
  }
}

/**
 * The process listening on TCP `port` of this machine (its lowest pid, for a server whose
 * children inherit the socket), from /proc/net and each process's open files; undefined when no
 * listener is found or /proc cannot be read (another machine, another user's process).
 */
export function listeningPid(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[3] === '0A' && parseInt(f[1]!.split(':')[1]!, 16) === port) inodes.add(f[9]!);
    }
  }
  if (inodes.size === 0) return undefined;
  let found: number | undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || (found !== undefined && Number(entry) >= found)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m && inodes.has(m[1]!)) {
        found = Number(entry);
        break;
      }
    }
  }
  return found;
}

/** USER_HZ: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS = os.platform() === 'linux' ? 100 : 1;
