/**
 * Tries that run until a spec lets them go, so that what runs at once is decided by the engine
 * alone. `peak` is the most that ever ran at the same time in this process.
 */
export interface TaskGate {
  /** The tries held now, by the key each was held under, oldest first. */
  readonly running: Map<string, () => void>;
  peak: number;
  /** Holds a try under `key` until `release` lets it go. */
  hold(key: string): Promise<void>;
  /** Lets `n` of the tries held now finish (oldest first). */
  release(n?: number): void;
  /** Lets every held try finish and forgets the peak. */
  reset(): void;
}

export function taskGate(): TaskGate {
  const running = new Map<string, () => void>();
  const gate: TaskGate = {
    running,
    peak: 0,
    hold: (key) =>
      new Promise<void>((resolve) => {
        running.set(key, resolve);
        gate.peak = Math.max(gate.peak, running.size);
      }),
    release(n = 1) {
      for (const [key, done] of [...running].slice(0, n)) {
        running.delete(key);
        done();
      }
    },
    reset() {
      gate.release(running.size);
      gate.peak = 0;
    },
  };
  return gate;
}
