import { defineDag, task } from '../../engine/index.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A daily four-task chain whose tasks take a little time, for the backfill specifications. */
export const backfillDag = defineDag({
  id: 'nightly_chain',
  schedule: '0 2 * * *',
  startDate: '2025-01-01T00:00:00Z',
  tasks: {
    extract: task(async (ctx) => {
      await pause(20);
      return { day: ctx.dataIntervalStart.toISOString().slice(0, 10) };
    }),
    transform: task(async () => pause(20).then(() => null), { upstream: ['extract'] }),
    load: task(async () => pause(20).then(() => null), { upstream: ['transform'] }),
    report: task(async () => pause(20).then(() => null), { upstream: ['load'] }),
  },
});
