import type { Logger } from './logger.js';

/**
 * Exit code of a process whose shutdown grace ran out (or that got a second signal): it left
 * work unfinished, which the sweeps recover — a try's heartbeat goes stale and the scheduler
 * queues it again; a chunk that was not committed is read again from PostgreSQL's stored offset.
 */
export const EXIT_ABANDONED = 3;

/** One thing a process releases on stop, in the order given. */
export interface StopPart {
  name: string;
  close(): Promise<void>;
  /** What this part still holds (running tries, the chunk in hand…), logged if it is abandoned. */
  inHand?(): unknown;
}

/** The process's open handles by kind ("TCPSocketWrap": 3, "Timeout": 2…), for the abandon log. */
export function openResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

function flushThenExit(logger: Logger, code: number): void {
  // The logger writes asynchronously: let it reach stderr, but never wait on it for long.
  const exit = () => process.exit(code);
  setTimeout(exit, 200).unref();
  try {
    logger.flush(exit);
  } catch {
    exit();
  }
}

/**
 * Releases `parts` one after the other, and exits within `graceMs` whatever is down: when the
 * grace runs out, or a second SIGTERM/SIGINT arrives, it logs what each unfinished part still
 * held and the open connections, then exits with `EXIT_ABANDONED`. A clean stop resolves; if a
 * forgotten handle then keeps the process alive past the grace, it exits with code 0 and says so.
 */
export async function stopWithin(
  parts: readonly StopPart[],
  options: { graceMs: number; logger: Logger; signal?: string },
): Promise<void> {
  const { graceMs, logger } = options;
  const started = Date.now();
  const pending = [...parts];
  const abandon = (why: string) => {
    logger.error(
      {
        why,
        graceMs,
        elapsedMs: Date.now() - started,
        abandoned: pending.map((p) => ({ part: p.name, inHand: safeInHand(p) })),
        open: openResources(),
      },
      'shutdown abandoned: exiting without finishing (the sweeps recover what was in hand)',
    );
    flushThenExit(logger, EXIT_ABANDONED);
  };
  const again = (signal: string) => abandon(`second ${signal}`);
  process.once('SIGTERM', again);
  process.once('SIGINT', again);
  const timer = setTimeout(() => abandon('grace ran out'), graceMs);
  logger.info({ signal: options.signal, graceMs, parts: parts.map((p) => p.name) }, 'stopping');
  while (pending.length > 0) {
    const part = pending[0]!;
    try {
      await part.close();
    } catch (err) {
      logger.warn({ err, part: part.name }, 'error while stopping');
    }
    pending.shift();
  }
  process.off('SIGTERM', again);
  process.off('SIGINT', again);
  clearTimeout(timer);
  logger.info({ elapsedMs: Date.now() - started }, 'stopped');
  // Everything is closed: the process ends when its loop drains. A handle nobody closed must not
  // keep it alive for ever.
  setTimeout(
    () => {
      logger.warn({ open: openResources() }, 'still running after a clean stop; exiting');
      flushThenExit(logger, process.exitCode === undefined ? 0 : Number(process.exitCode));
    },
    Math.max(1_000, graceMs - (Date.now() - started)),
  ).unref();
}

function safeInHand(part: StopPart): unknown {
  try {
    return part.inHand?.();
  } catch {
    return undefined;
  }
}

/** Resolves with the signal's name when the process is asked to stop (SIGTERM or SIGINT). */
export function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: string) => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolve(signal);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}
