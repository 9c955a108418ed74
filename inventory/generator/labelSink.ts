import type { Knex } from 'knex';
import type { IncidentLabel } from './labels.js';
import { insertIncidentLabels } from './store/index.js';

/** Where a live stream's labels go: written to inventory.incident_labels as they complete. */
export interface LabelSink {
  /** Queues a label; it is written within `flushMs`. */
  write(label: IncidentLabel): void;
  /** Writes what is queued and stops. */
  close(): Promise<void>;
  /** Labels written so far. */
  readonly written: number;
}

/**
 * Collects the labels of a live stream and inserts them in batches, one insert at a time, so a
 * burst of incidents costs one statement. A failed insert is reported to `onError` and its labels
 * are kept for the next try: a label is ground truth, and losing one would count a correct alert
 * as a false positive.
 */
export function createLabelSink(knex: Knex, onError: (err: unknown) => void, flushMs = 1000): LabelSink {
  let queued: IncidentLabel[] = [];
  let written = 0;
  let writing: Promise<void> = Promise.resolve();
  const flush = () => {
    writing = writing.then(async () => {
      if (queued.length === 0) return;
      const batch = queued;
      queued = [];
      try {
        await insertIncidentLabels(knex, batch);
        written += batch.length;
      } catch (err) {
        queued = [...batch, ...queued];
        onError(err);
      }
    });
    return writing;
  };
  const timer = setInterval(() => void flush(), flushMs);
  timer.unref();
  return {
    write: (label) => void queued.push(label),
    close: async () => {
      clearInterval(timer);
      await flush();
    },
    get written() {
      return written;
    },
  };
}
