import type { Logger } from '../platform/index.js';
import { coerceError } from '../platform/index.js';
import type { TaskLogLine } from './store/index.js';

/** Where a running try's log lines are stored as they are written (`appendTaskLogs`). */
export type TaskLogSink = (lines: TaskLogLine[]) => Promise<unknown>;

export interface TryLogOptions {
  /** A line waits at most this long before it is stored. @defaultValue 250 */
  flushMs?: number;
  /** Lines stored at once when this many wait, without waiting for `flushMs`. @defaultValue 100 */
  maxLines?: number;
}

/**
 * The log lines of one running try, stored while it runs: a line waits at most `flushMs` (or
 * until `maxLines` wait), so a reader sees the try live and a killed worker loses at most its
 * last `flushMs`. Writes go out one at a time, in order. `drain` hands back what was not written
 * yet — a try that ends within `flushMs` writes nothing here, and its lines go with the statement
 * that records its end, so short tasks pay no extra round trip. A write that fails keeps its
 * lines for the next one (or for `drain`), so a slow or failing write never fails the task.
 */
export class TryLog {
  private pending: TaskLogLine[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly flushMs: number;
  private readonly maxLines: number;

  constructor(
    private readonly sink: TaskLogSink | undefined,
    private readonly logger: Logger,
    options: TryLogOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 250;
    this.maxLines = options.maxLines ?? 100;
  }

  push(line: TaskLogLine): void {
    this.pending.push(line);
    if (!this.sink) return;
    if (this.pending.length >= this.maxLines) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.writing = this.writing.then(async () => {
      try {
        await this.sink!(batch);
      } catch (err) {
        this.logger.warn({ err: coerceError(err), lines: batch.length }, 'storing task log lines failed');
        this.pending = [...batch, ...this.pending];
      }
    });
  }

  /** Stops the timer, waits for the write in flight, and returns the lines not stored yet. */
  async drain(): Promise<TaskLogLine[]> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
    const rest = this.pending;
    this.pending = [];
    return rest;
  }
}
