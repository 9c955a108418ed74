import type { Gantt } from '../gantt.js';
import { formatDuration } from './format.js';
import { h, type SafeHtml } from './html.js';

const W = 860;
const LABEL_W = 190;
/** Characters of a task id that fit left of the bars; a longer one ends in '…' (full id on hover). */
const LABEL_CHARS = 28;

const shortLabel = (id: string) => (id.length > LABEL_CHARS ? `${id.slice(0, LABEL_CHARS - 1)}…` : id);
const ROW_H = 22;
const BAR_H = 14;
const AXIS_H = 22;

/**
 * A run's Gantt chart: per task, a light bar from queued to started and a bar in the state's
 * colour from started to ended (to the chart's end while running), on one time axis.
 */
export function ganttView(gantt: Gantt): SafeHtml {
  if (!gantt.from || !gantt.to || gantt.bars.length === 0)
    return h`<p class="empty" id="gantt">No task of this run has been queued yet.</p>`;
  const t0 = gantt.from.getTime();
  const span = gantt.to.getTime() - t0;
  const plotW = W - LABEL_W - 10;
  const x = (d: Date) => LABEL_W + ((d.getTime() - t0) / span) * plotW;
  const height = AXIS_H + gantt.bars.length * ROW_H + 4;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const rows = gantt.bars.map((b, i) => {
    const y = AXIS_H + i * ROW_H + (ROW_H - BAR_H) / 2;
    const end = b.ended_at ?? gantt.to!;
    const queued =
      b.queued_at && b.started_at
        ? h`<rect class="queued-bar" x="${x(b.queued_at).toFixed(1)}" y="${y}" height="${BAR_H}"
            width="${Math.max(1, x(b.started_at) - x(b.queued_at)).toFixed(1)}"
            ><title>${b.task_id} queued ${formatDuration(b.started_at.getTime() - b.queued_at.getTime())}</title></rect
          >`
        : '';
    const ran = b.started_at
      ? h`<rect class="run-bar state-${b.state}" x="${x(b.started_at).toFixed(1)}" y="${y}" height="${BAR_H}"
          width="${Math.max(1, x(end) - x(b.started_at)).toFixed(1)}"
          ><title>${b.task_id} ${b.state} ${formatDuration(end.getTime() - b.started_at.getTime())}</title></rect
        >`
      : '';
    return h`<g class="gantt-row" data-task="${b.task_id}" data-state="${b.state}">
      <text x="${LABEL_W - 8}" y="${y + BAR_H - 3}" text-anchor="end"
        ><title>${b.task_id}</title>${shortLabel(b.task_id)}</text
      >
      ${queued} ${ran}
    </g>`;
  });
  return h`<figure class="dag-chart" id="gantt">
    <svg viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" role="img" aria-label="Gantt of run ${gantt.run_id}">
      ${ticks.map(
        (f) =>
          h`<line class="gridline" x1="${LABEL_W + f * plotW}" x2="${LABEL_W + f * plotW}" y1="${AXIS_H - 4}" y2="${height}" />
            <text class="axis" x="${LABEL_W + f * plotW}" y="${AXIS_H - 8}" text-anchor="${f === 1 ? 'end' : f === 0 ? 'start' : 'middle'}"
              >+${formatDuration(f * span)}</text
            >`,
      )}
      ${rows}
    </svg>
  </figure>`;
}
