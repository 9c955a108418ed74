/** Day arithmetic on 'YYYY-MM-DD' strings in UTC, the only calendar the DAGs use (SPEC §5). */

const DAY_MS = 86_400_000;

/** The UTC day an instant falls on. */
export function utcDay(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));
}

/** Midnight UTC starting `day`. */
export function startOfDay(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

/** The Monday (UTC) of the ISO week containing `day`. */
export function mondayOf(day: string): string {
  const weekday = (startOfDay(day).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return addDays(day, -weekday);
}

/** The ISO week of `day`, as 'YYYY-Www' (the week belongs to the year of its Thursday). */
export function isoWeek(day: string): string {
  const thursday = addDays(mondayOf(day), 3);
  const jan1 = Date.parse(`${thursday.slice(0, 4)}-01-01T00:00:00Z`);
  const week = Math.floor((startOfDay(thursday).getTime() - jan1) / (7 * DAY_MS)) + 1;
  return `${thursday.slice(0, 4)}-W${String(week).padStart(2, '0')}`;
}
