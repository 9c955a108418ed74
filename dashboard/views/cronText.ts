const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const num = (s: string): number | undefined => (/^\d{1,2}$/.test(s) ? Number(s) : undefined);
const step = (s: string): number | undefined => {
  const m = /^\*\/(\d{1,2})$/.exec(s);
  return m ? Number(m[1]) : undefined;
};
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A five-field cron expression in words, for the common shapes DAG schedules take ("every day at
 * 02:00 UTC", "every 30 minutes"). Anything else is shown as the expression itself, which is
 * always correct if less friendly.
 */
export function scheduleInWords(schedule: string | null, timezone = 'UTC'): string {
  if (schedule === null) return 'manual only';
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) return schedule;
  const [min, hour, dom, month, dow] = fields as [string, string, string, string, string];
  const tz = ` ${timezone}`;
  const anyDay = dom === '*' && month === '*';
  const m = num(min);
  const h = num(hour);

  if (anyDay && dow === '*') {
    if (min === '*' && hour === '*') return 'every minute';
    const ms = step(min);
    if (ms !== undefined && hour === '*') return ms === 1 ? 'every minute' : `every ${ms} minutes`;
    if (m !== undefined && hour === '*') return m === 0 ? 'every hour' : `every hour at minute ${m}`;
    const hs = step(hour);
    if (m !== undefined && hs !== undefined && hs > 0) {
      const hours = Array.from({ length: Math.ceil(24 / hs) }, (_, i) => `${pad(i * hs)}:${pad(m)}`);
      return hs === 1
        ? m === 0
          ? 'every hour'
          : `every hour at minute ${m}`
        : hours.length <= 6
          ? `every ${hs} hours (${hours.join(', ')}${tz})`
          : `every ${hs} hours at minute ${m}`;
    }
    if (m !== undefined && h !== undefined) return `every day at ${pad(h)}:${pad(m)}${tz}`;
  }
  if (anyDay && m !== undefined && h !== undefined && num(dow) !== undefined && num(dow)! <= 7) {
    return `every ${WEEKDAYS[num(dow)! % 7]} at ${pad(h)}:${pad(m)}${tz}`;
  }
  if (month === '*' && dow === '*' && num(dom) !== undefined && m !== undefined && h !== undefined) {
    return `on day ${num(dom)} of every month at ${pad(h)}:${pad(m)}${tz}`;
  }
  return `${schedule} (cron, ${timezone})`;
}
