/**
 * Where the eval's labelled history ends and its live hour lies: the live hour is the last whole
 * UTC hour before `now` and the history ends where it starts, so no stretch of event time lies
 * between them with nothing in it (a silent warehouse there is an ingestion gap no label explains).
 */
const HOUR_MS = 3_600_000;

export interface EvalWindow {
  /** End of the generated history (exclusive), a whole UTC hour. */
  historyEnd: Date;
  /** The live hour, [start, end): it starts at the history's end and is over by `now`. */
  liveHour: { start: Date; end: Date };
}

export function evalWindow(now = Date.now()): EvalWindow {
  const end = Math.floor(now / HOUR_MS) * HOUR_MS;
  const start = end - HOUR_MS;
  return { historyEnd: new Date(start), liveHour: { start: new Date(start), end: new Date(end) } };
}
