/**
 * Injected pick stoppages, the cause of the LATE_DISPATCH incidents (LABELS.md): a conveyor
 * breakdown or a system outage stops a warehouse's picking for a few working days, and the backlog
 * is made up after it. The orders whose promise passes before their make-up pick leave late; the
 * feed labels each (as it labels every order that leaves after its promise).
 */
import type { Site } from './pair.js';
import { Rng } from './random.js';

/** Working days a stoppage needs before it (a week of trade, so the pick rate is known). */
const WARM_UP_DAYS = 8;
/** Days after a stoppage before the next may start at the same warehouse. */
const GAP_DAYS = 14;

/**
 * About `rate` stoppages per warehouse per 30 days, each of two or three working days; the picks
 * due on its first two days are made up on the first working day after it, those of its third day
 * on the second (the backlog takes overtime to clear). Sets each site's `pickDelay`. Plan it after
 * the ingestion gaps: a dark day is no working day.
 */
export function planPickStoppages(seed: number, rate: number, sites: readonly Site[], days: number): void {
  sites.forEach((site, s) => {
    const rng = new Rng(seed, 'pick-stoppages', s);
    const works = (k: number) => site.activity[k]! > 0;
    let k = WARM_UP_DAYS;
    while (k < days) {
      if (!works(k) || !rng.chance(rate / 30)) {
        k++;
        continue;
      }
      const length = rng.chance(0.5) ? 2 : 3;
      const stopped: number[] = [];
      const after: number[] = [];
      let j = k;
      for (; j < days && stopped.length < length; j++) if (works(j)) stopped.push(j);
      for (; j < days && after.length < 2; j++) if (works(j)) after.push(j);
      if (after.length < 2) return;
      const delay = (site.pickDelay ??= new Map());
      stopped.forEach((day, i) => delay.set(day, after[Math.floor(i / 2)]!));
      k = j + GAP_DAYS;
    }
  });
}
