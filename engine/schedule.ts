import { CronExpressionParser } from 'cron-parser';

/**
 * Schedule math: cron expressions read in an IANA time zone, with Airflow's interval semantics.
 * A fire time F opens the data interval [F, next(F)); the run for it is due once next(F) has
 * passed, and its logical date is F.
 *
 * cron-parser (5.x) computes fire times from any instant, which a frozen clock and catch-up need;
 * node-cron 4 only answers "next run from now" for a live task. Only `next()` is used: cron-parser's
 * `prev()` reports a 02:00 fire twice on the autumn DST change, `next()` once (and on the spring
 * change, when 02:00 does not exist, it fires at 03:00 — once).
 */

export interface DataInterval {
  start: Date;
  end: Date;
}

export interface ScheduleSpec {
  schedule: string | null;
  timezone: string;
}

const FIELDS = 5;

/** Why an expression or time zone is unusable, or undefined when it is fine. */
export function validateSchedule(expression: string, timezone: string): string | undefined {
  if (typeof expression !== 'string' || expression.trim().split(/\s+/).length !== FIELDS) {
    return `schedule ${JSON.stringify(expression)} must be a five-field cron expression (minute hour day month weekday)`;
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    return `unknown time zone '${timezone}'`;
  }
  try {
    const it = CronExpressionParser.parse(expression, {
      currentDate: new Date(0),
      tz: timezone,
      strict: false,
    });
    it.next();
  } catch (err) {
    return `schedule ${JSON.stringify(expression)} is not a valid cron expression: ${(err as Error).message}`;
  }
  return undefined;
}

/** The first fire time strictly after `after`. */
export function nextFireAfter(spec: ScheduleSpec, after: Date): Date {
  if (spec.schedule === null) throw new TypeError('a DAG without schedule has no fire times');
  const it = CronExpressionParser.parse(spec.schedule, { currentDate: after, tz: spec.timezone });
  const next = it.next().toDate();
  // cron-parser treats currentDate with second precision; never return `after` itself.
  return next.getTime() > after.getTime() ? next : it.next().toDate();
}

/** The first fire time at or after `at`. */
export function firstFireAtOrAfter(spec: ScheduleSpec, at: Date): Date {
  return nextFireAfter(spec, new Date(at.getTime() - 1));
}

/** The data interval that starts at fire time `start`. */
export function intervalStartingAt(spec: ScheduleSpec, start: Date): DataInterval {
  return { start, end: nextFireAfter(spec, start) };
}

/**
 * Every interval whose start lies in [from, until] (inclusive), in order, at most `limit` of them.
 */
export function intervalsBetween(
  spec: ScheduleSpec,
  from: Date,
  until: Date,
  limit = Number.POSITIVE_INFINITY,
): DataInterval[] {
  const out: DataInterval[] = [];
  let start = firstFireAtOrAfter(spec, from);
  while (start.getTime() <= until.getTime() && out.length < limit) {
    const end = nextFireAfter(spec, start);
    out.push({ start, end });
    start = end;
  }
  return out;
}

/**
 * The latest interval that has ended by `now` and starts at or after `notBefore`, or undefined.
 * Searches forward from ever earlier points (1 day, 40 days, 400 days, 10 years back) because
 * stepping backwards is not DST-safe.
 */
export function latestEndedInterval(
  spec: ScheduleSpec,
  now: Date,
  notBefore: Date,
): DataInterval | undefined {
  for (const days of [1, 40, 400, 3660]) {
    const from = new Date(Math.max(notBefore.getTime(), now.getTime() - days * 86_400_000));
    let found: DataInterval | undefined;
    let start = firstFireAtOrAfter(spec, from);
    for (;;) {
      const end = nextFireAfter(spec, start);
      if (end.getTime() > now.getTime()) break;
      found = { start, end };
      start = end;
    }
    if (found || from.getTime() === notBefore.getTime()) return found;
  }
  return undefined;
}
