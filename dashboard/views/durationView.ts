import type { TaskDurations } from '../taskDurations.js';
import { formatDuration } from './format.js';
import { h, type SafeHtml } from './html.js';

const W = 860;
const H = 220;
const PAD = { left: 64, right: 12, top: 12, bottom: 24 };

/**
 * One line per task of its duration per run, runs equally spaced oldest to newest. Colours are
 * app.css's `series-0…7` (set as `color`, drawn with `currentColor`).
 */
export function durationView(d: TaskDurations): SafeHtml {
  const all = d.tasks.flatMap((t) => t.points.map((p) => p.duration_ms));
  if (d.runs.length === 0 || all.length === 0)
    return h`<p class="empty" id="durations">No finished task instances yet.</p>`;
  const yMax = Math.max(1, ...all);
  const index = new Map(d.runs.map((r, i) => [r.id, i]));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (runId: number) =>
    PAD.left + (d.runs.length === 1 ? plotW / 2 : ((index.get(runId) ?? 0) / (d.runs.length - 1)) * plotW);
  const y = (ms: number) => PAD.top + (1 - ms / yMax) * plotH;
  return h`<figure class="dag-chart" id="durations">
    <svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Task durations of ${d.dag_id}">
      ${[0, 0.5, 1].map(
        (f) =>
          h`<line class="gridline" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(f * yMax)}" y2="${y(f * yMax)}" />
            <text class="axis" x="${PAD.left - 6}" y="${y(f * yMax) + 4}" text-anchor="end">${formatDuration(f * yMax) || '0'}</text>`,
      )}
      <text class="axis" x="${PAD.left}" y="${H - 6}">run ${d.runs[0]!.id}</text>
      <text class="axis" x="${W - PAD.right}" y="${H - 6}" text-anchor="end">run ${d.runs.at(-1)!.id}</text>
      ${d.tasks.map(
        (t, i) =>
          h`<g class="duration-line series-${i % 8}" data-task="${t.task_id}">
            <polyline class="line" stroke="currentColor" points="${t.points.map((p) => `${x(p.run_id).toFixed(1)},${y(p.duration_ms).toFixed(1)}`).join(' ')}" />
            ${t.points.map(
              (p) =>
                h`<circle cx="${x(p.run_id).toFixed(1)}" cy="${y(p.duration_ms).toFixed(1)}" r="3" fill="currentColor"
                  ><title>${t.task_id} · run ${p.run_id} · ${p.state} · ${formatDuration(p.duration_ms)}</title></circle
                >`,
            )}
          </g>`,
      )}
    </svg>
    <figcaption class="muted small">
      ${d.tasks.map((t, i) => h`<span class="key series-${i % 8}">${t.task_id}</span> `)} · last ${d.runs.length} runs
    </figcaption>
  </figure>`;
}
