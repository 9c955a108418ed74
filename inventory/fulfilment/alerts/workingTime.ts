/**
 * A warehouse's working time: its business hours on its working days, in its own time zone
 * (`inventory.warehouses`: timezone, business_hours_start/end, weekend_operation). The pick queue
 * moves only while the warehouse works, so the late-dispatch forecast measures its pick rate per
 * working hour and adds the time to clear the queue in working hours.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MINUTE_MS = 60_000;

/** A warehouse's calendar, as master data gives it. */
export interface WorkCalendar {
  /** IANA time zone. */
  timezone: string;
  /** Local opening time, minutes after midnight. */
  openMinute: number;
  /** Local closing time, minutes after midnight (exclusive). */
  closeMinute: number;
  /** Whether it works on Saturdays and Sundays. */
  weekendOperation: boolean;
}

/** Offsets from UTC of one time zone, one Intl lookup per UTC hour (zones change on whole hours). */
class ZoneOffsets {
  private readonly format: Intl.DateTimeFormat;
  private readonly byHour = new Map<number, number>();

  constructor(timeZone: string) {
    let format: Intl.DateTimeFormat;
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
      });
    } catch {
      // An unknown zone reads as UTC (master data validates zones; a typo must not stop the stream).
      format = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', hourCycle: 'h23' });
    }
    this.format = format;
  }

  /** Local minus UTC at `utcMs`. */
  offset(utcMs: number): number {
    const hour = Math.floor(utcMs / HOUR_MS);
    let offset = this.byHour.get(hour);
    if (offset === undefined) {
      const at = hour * HOUR_MS;
      const p: Record<string, number> = {};
      for (const part of this.format.formatToParts(at))
        if (part.type !== 'literal') p[part.type] = Number(part.value);
      const local = Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0);
      offset = Number.isFinite(local) ? local - at : 0;
      if (this.byHour.size > 50_000) this.byHour.clear();
      this.byHour.set(hour, offset);
    }
    return offset;
  }

  /** The instant at which local clocks read `wallMs` (wall times are local readings as UTC ms). */
  toUtc(wallMs: number): number {
    const guess = wallMs - this.offset(wallMs);
    return wallMs - this.offset(guess);
  }
}

const zones = new Map<string, ZoneOffsets>();
function zone(timeZone: string): ZoneOffsets {
  let z = zones.get(timeZone);
  if (!z) zones.set(timeZone, (z = new ZoneOffsets(timeZone)));
  return z;
}

/** The local hour (0–23) at `utcMs` in `timeZone`. */
export function localHour(timeZone: string, utcMs: number): number {
  const wall = utcMs + zone(timeZone).offset(utcMs);
  return Math.floor((((wall % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
}

/** Whether local day `day` (days since the epoch, local) is a working day. */
function works(cal: WorkCalendar, day: number): boolean {
  if (cal.weekendOperation) return true;
  const dow = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  return dow !== 0 && dow !== 6;
}

/** The working interval of local day `day`, in UTC ms; null on a day off or with no hours. */
function shiftOf(cal: WorkCalendar, day: number): [number, number] | null {
  if (!works(cal, day) || cal.closeMinute <= cal.openMinute) return null;
  const z = zone(cal.timezone);
  const base = day * DAY_MS;
  return [z.toUtc(base + cal.openMinute * MINUTE_MS), z.toUtc(base + cal.closeMinute * MINUTE_MS)];
}

const localDay = (cal: WorkCalendar, utcMs: number) =>
  Math.floor((utcMs + zone(cal.timezone).offset(utcMs)) / DAY_MS);

/** Most local days a calendar walk looks at (a calendar with no working hours ends there). */
const MAX_DAYS = 400;

/** Working time in [from, to), ms. */
export function workingTimeBetween(cal: WorkCalendar, from: number, to: number): number {
  if (to <= from) return 0;
  let total = 0;
  const last = localDay(cal, to);
  for (let day = localDay(cal, from), n = 0; day <= last && n < MAX_DAYS; day++, n++) {
    const shift = shiftOf(cal, day);
    if (shift) total += Math.max(0, Math.min(to, shift[1]) - Math.max(from, shift[0]));
  }
  return total;
}

/**
 * The instant `workMs` of working time after `from` (from itself when 0 and inside hours, else the
 * next opening); null when the calendar has no working time within `MAX_DAYS` days.
 */
export function addWorkingTime(cal: WorkCalendar, from: number, workMs: number): number | null {
  let left = Math.max(0, workMs);
  for (let day = localDay(cal, from), n = 0; n < MAX_DAYS; day++, n++) {
    const shift = shiftOf(cal, day);
    if (!shift || shift[1] <= from) continue;
    const start = Math.max(from, shift[0]);
    if (start + left <= shift[1]) return start + left;
    left -= shift[1] - start;
  }
  return null;
}

/**
 * The instant `workMs` of working time before `to` (the start of a window of that much working
 * time ending at `to`); `to - MAX_DAYS days` when the calendar has not that much within them.
 */
export function subtractWorkingTime(cal: WorkCalendar, to: number, workMs: number): number {
  let left = Math.max(0, workMs);
  for (let day = localDay(cal, to), n = 0; n < MAX_DAYS; day--, n++) {
    const shift = shiftOf(cal, day);
    if (!shift || shift[0] >= to) continue;
    const end = Math.min(to, shift[1]);
    if (end - left >= shift[0]) return end - left;
    left -= end - shift[0];
  }
  return to - MAX_DAYS * DAY_MS;
}
