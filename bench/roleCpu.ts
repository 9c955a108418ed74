/**
 * Where the CPU of a benchmark phase went, by role (the sidecars, PostgreSQL's backends, Kafka …),
 * beside what the whole machine spent: on a machine shared with other work, the rest is
 * `other`, and what nobody used is `idle`. Linux only (/proc); elsewhere every figure is undefined.
 */
import os from 'node:os';
import { cpuSeconds, machineCpuSeconds } from './processCpu.js';

/** The processes of a role now: asked again at every sample, so processes that come and go count. */
export type PidSource = () => readonly number[] | Promise<readonly number[]>;

export interface PhaseCpu {
  wallSeconds: number;
  /** Cores of this machine: the capacity is `wallSeconds × cores` CPU seconds. */
  cores: number;
  /** CPU seconds per role; undefined when none of its processes could be read. */
  roles: Record<string, number | undefined>;
  /** CPU seconds the machine spent busy minus every role's: other work on the machine. */
  other: number | undefined;
  /** CPU seconds nobody used. */
  idle: number | undefined;
}

interface Tracked {
  /** CPU seconds at the phase's start (0 for a process that appeared during it). */
  base: number;
  last: number;
}

/**
 * Samples every `everyMs` from `start()` to `stop()`. A process listed at the start counts from
 * its CPU then; one that appears later (a new connection's backend) counts whole; one that is no
 * longer listed keeps its last reading, and is not read again (its pid may be reused).
 */
export class RoleMeter {
  private readonly tracked = new Map<string, Map<number, Tracked>>();
  private readonly readable = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> | undefined;
  private startedAt = 0;
  private machineAtStart: ReturnType<typeof machineCpuSeconds>;

  constructor(
    private readonly roles: Record<string, PidSource>,
    private readonly everyMs = 200,
  ) {
    for (const role of Object.keys(roles)) this.tracked.set(role, new Map());
  }

  async start(): Promise<void> {
    await this.sample(true);
    this.startedAt = performance.now();
    this.machineAtStart = machineCpuSeconds();
    this.timer = setInterval(() => {
      this.sampling ??= this.sample(false).finally(() => (this.sampling = undefined));
    }, this.everyMs).unref(); // a phase that fails leaves no timer holding the process
  }

  async stop(): Promise<PhaseCpu> {
    clearInterval(this.timer);
    await this.sampling;
    await this.sample(false);
    const wallSeconds = (performance.now() - this.startedAt) / 1000;
    const machineAtEnd = machineCpuSeconds();
    const roles: Record<string, number | undefined> = {};
    for (const [role, pids] of this.tracked) {
      roles[role] = this.readable.has(role)
        ? [...pids.values()].reduce((sum, t) => sum + Math.max(0, t.last - t.base), 0)
        : undefined;
    }
    const busy =
      this.machineAtStart && machineAtEnd ? machineAtEnd.busy - this.machineAtStart.busy : undefined;
    const all =
      this.machineAtStart && machineAtEnd ? machineAtEnd.total - this.machineAtStart.total : undefined;
    const measured = Object.values(roles).reduce<number>((sum, s) => sum + (s ?? 0), 0);
    return {
      wallSeconds,
      cores: os.cpus().length,
      roles,
      other: busy === undefined ? undefined : Math.max(0, busy - measured),
      idle: busy === undefined || all === undefined ? undefined : Math.max(0, all - busy),
    };
  }

  private async sample(first: boolean): Promise<void> {
    for (const [role, source] of Object.entries(this.roles)) {
      const pids = await source();
      const tracked = this.tracked.get(role)!;
      for (const pid of pids) {
        const now = cpuSeconds(pid);
        if (now === undefined) continue;
        this.readable.add(role);
        const t = tracked.get(pid);
        if (t) t.last = now;
        else tracked.set(pid, { base: first ? now : 0, last: now });
      }
    }
  }
}

/** `seconds` as a percentage of the phase's capacity (every core for its whole length). */
export function shareOfMachine(seconds: number | undefined, cpu: PhaseCpu): number | undefined {
  return seconds === undefined ? undefined : (100 * seconds) / (cpu.wallSeconds * cpu.cores);
}
