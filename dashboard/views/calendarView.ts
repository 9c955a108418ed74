import type { RunCalendar } from '../runCalendar.js';
import { h, type SafeHtml } from './html.js';

const CELL = 12;
const GAP = 2;
const LEFT = 28;
const TOP = 16;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Mon', '', 'Wed', '', 'Fri', '', ''];
const DAY_MS = 86_400_000;

/**
 * A year of days as weeks (columns, Monday first) × weekdays (rows), each coloured by the worst
 * state of that day's runs, with its counts in a title tooltip. The days are dates in the DAG's
 * time zone (`cal.timezone`): the grid only lays dates out, so it counts them in UTC arithmetic.
 */
export function calendarView(cal: RunCalendar): SafeHtml {
  const byDay = new Map(cal.days.map((d) => [d.day, d]));
  const jan1 = Date.UTC(cal.year, 0, 1);
  const offset = (new Date(jan1).getUTCDay() + 6) % 7; // Monday = 0
  const count = (Date.UTC(cal.year + 1, 0, 1) - jan1) / DAY_MS;
  const cells: SafeHtml[] = [];
  const monthLabels: SafeHtml[] = [];
  let weeks = 0;
  for (let i = 0; i < count; i++) {
    const date = new Date(jan1 + i * DAY_MS);
    const day = date.toISOString().slice(0, 10);
    const col = Math.floor((i + offset) / 7);
    const row = (i + offset) % 7;
    weeks = col + 1;
    const x = LEFT + col * (CELL + GAP);
    if (date.getUTCDate() === 1)
      monthLabels.push(h`<text class="axis" x="${x}" y="${TOP - 5}">${MONTHS[date.getUTCMonth()]}</text>`);
    const d = byDay.get(day);
    const tip = d
      ? `${day}: ${Object.entries(d.runs)
          .filter(([, n]) => n > 0)
          .map(([s, n]) => `${n} ${s}`)
          .join(', ')}`
      : `${day}: no runs`;
    cells.push(
      h`<rect class="day ${d ? `state-${d.worst}` : 'empty-day'}" data-day="${day}" data-state="${d?.worst ?? 'none'}"
        x="${x}" y="${TOP + row * (CELL + GAP)}" width="${CELL}" height="${CELL}" rx="2"
        ><title>${tip}</title></rect
      >`,
    );
  }
  const width = LEFT + weeks * (CELL + GAP);
  const height = TOP + 7 * (CELL + GAP);
  return h`<figure class="dag-chart" id="calendar">
    <svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Runs of ${cal.dag_id} per day in ${cal.year}">
      ${monthLabels}
      ${WEEKDAYS.map((w, r) => (w ? h`<text class="axis" x="0" y="${TOP + r * (CELL + GAP) + CELL - 2}">${w}</text>` : ''))}
      ${cells}
    </svg>
    <figcaption class="muted small">
      <a href="?year=${cal.year - 1}#calendar">‹ ${cal.year - 1}</a> · ${cal.year} (${cal.timezone}, worst state of the day's runs) ·
      <a href="?year=${cal.year + 1}#calendar">${cal.year + 1} ›</a>
    </figcaption>
  </figure>`;
}
