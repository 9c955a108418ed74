/**
 * `work`, or the error `timedOut()` makes if it has not settled within `ms`: a bounded wait on an
 * answer that may never come (a health check, a broker asked from inside a transaction). The
 * work itself runs on; a rejection it gives after the deadline is dropped.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  work.catch(() => undefined);
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(timedOut()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
