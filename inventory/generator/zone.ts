import { InvalidInputError } from '../../platform/index.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/**
 * Local time in one IANA time zone, fast enough to call for every generated event. "Wall" times
 * are local clock readings expressed as if they were UTC milliseconds, so ordinary arithmetic
 * gives the local day, weekday and hour.
 *
 * Offsets are computed with Intl once per UTC hour and cached: every zone we use changes its
 * offset on a whole UTC hour.
 */
export class ZoneClock {
  private readonly format: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();
  /** The local day `toUtc` saw last, and its offset when the whole day has one (NaN otherwise). */
  private cachedDay = NaN;
  private cachedDayOffset = NaN;

  constructor(readonly timeZone: string) {
    try {
      this.format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch (err) {
      throw new InvalidInputError(`unknown time zone ${JSON.stringify(timeZone)}`, { cause: err });
    }
  }

  /** Local minus UTC, in milliseconds, at instant `utcMs`. */
  offset(utcMs: number): number {
    const hour = Math.floor(utcMs / HOUR_MS);
    let offset = this.offsets.get(hour);
    if (offset === undefined) {
      const at = hour * HOUR_MS;
      const p: Record<string, number> = {};
      for (const part of this.format.formatToParts(at)) {
        if (part.type !== 'literal') p[part.type] = Number(part.value);
      }
      offset = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - at;
      this.offsets.set(hour, offset);
    }
    return offset;
  }

  /** The local wall-clock reading at `utcMs`. */
  wall(utcMs: number): number {
    return utcMs + this.offset(utcMs);
  }

  /** The instant at which local clocks read `wallMs` (the later reading inside a DST gap). */
  toUtc(wallMs: number): number {
    const day = Math.floor(wallMs / DAY_MS);
    if (day !== this.cachedDay) {
      // A local day lies within [day − 14 h, day + 1 d + 12 h] in UTC for every zone on Earth; the
      // same offset at both ends means no transition that day (they are months apart).
      const before = this.offset(day * DAY_MS - 14 * HOUR_MS);
      const after = this.offset((day + 1) * DAY_MS + 12 * HOUR_MS);
      this.cachedDay = day;
      this.cachedDayOffset = before === after ? before : NaN;
    }
    if (!Number.isNaN(this.cachedDayOffset)) return wallMs - this.cachedDayOffset;
    const guess = wallMs - this.offset(wallMs);
    return wallMs - this.offset(guess);
  }
}

/** Days since 1970-01-01 of a wall time. */
export function dayIndex(wallMs: number): number {
  return Math.floor(wallMs / DAY_MS);
}

/** 0 = Sunday … 6 = Saturday, for a day index (1970-01-01 was a Thursday). */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** Calendar month 0–11 of a day index. */
export function monthOf(day: number): number {
  return new Date(day * DAY_MS).getUTCMonth();
}

/** Seconds since midnight of 'HH:MM[:SS]'. */
export function secondsOfDay(time: string): number {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(time);
  if (!m) throw new InvalidInputError(`expected a time of day HH:MM[:SS] (got ${JSON.stringify(time)})`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
}
