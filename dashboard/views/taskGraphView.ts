import type { TaskGraph } from '../taskGraph.js';
import { h, type SafeHtml } from './html.js';

const BOX_W = 150;
const BOX_H = 30;
const COL_GAP = 60;
const ROW_GAP = 14;
const PAD = 8;

/**
 * The task graph as SVG, left to right by depth. Boxes take the `state-*` classes (filled by
 * dagCharts.css), edges are cubic paths from a box's right side to its downstream's left side.
 */
export function taskGraphView(graph: TaskGraph): SafeHtml {
  if (graph.nodes.length === 0) return h`<p class="empty">This DAG has no tasks.</p>`;
  const cols = Math.max(...graph.nodes.map((n) => n.depth)) + 1;
  const rows = Math.max(...graph.nodes.map((n) => n.row)) + 1;
  const width = PAD * 2 + cols * BOX_W + (cols - 1) * COL_GAP;
  const height = PAD * 2 + rows * BOX_H + (rows - 1) * ROW_GAP;
  const pos = new Map(
    graph.nodes.map((n) => [
      n.task_id,
      { x: PAD + n.depth * (BOX_W + COL_GAP), y: PAD + n.row * (BOX_H + ROW_GAP) },
    ]),
  );
  const edges = graph.edges.map((e) => {
    const a = pos.get(e.from)!;
    const b = pos.get(e.to)!;
    const x1 = a.x + BOX_W;
    const y1 = a.y + BOX_H / 2;
    const x2 = b.x;
    const y2 = b.y + BOX_H / 2;
    const mid = (x1 + x2) / 2;
    return h`<path
      class="edge"
      data-from="${e.from}"
      data-to="${e.to}"
      d="M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2 - 4},${y2}"
      fill="none"
      marker-end="url(#arrow)"
    />`;
  });
  const boxes = graph.nodes.map((n) => {
    const p = pos.get(n.task_id)!;
    const box = h`<rect class="node state-${n.state}${n.map_over ? ' mapped' : ''}" x="${p.x}" y="${p.y}" width="${BOX_W}" height="${BOX_H}" rx="4" />
      <text class="node-label" x="${p.x + BOX_W / 2}" y="${p.y + BOX_H / 2 + 4}" text-anchor="middle"
        >${n.task_id.length > 20 ? `${n.task_id.slice(0, 19)}…` : n.task_id}</text
      >
      <title>${n.task_id}: ${n.state}${n.map_over ? ` · mapped: one instance per item of ${n.map_over}` : ''}</title>`;
    return n.href
      ? h`<a href="${n.href}" class="graph-node" data-task="${n.task_id}" data-state="${n.state}">${box}</a>`
      : h`<g class="graph-node" data-task="${n.task_id}" data-state="${n.state}">${box}</g>`;
  });
  return h`<figure class="dag-chart" id="task-graph">
    <svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Tasks of ${graph.dag_id}">
      <defs>
        <marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="8" markerHeight="8" orient="auto">
          <path d="M0,0 L8,4 L0,8 z" class="arrow" />
        </marker>
      </defs>
      ${edges} ${boxes}
    </svg>
    <figcaption class="muted small">
      ${graph.run ? `States of the latest run, ${graph.run.id} (${graph.run.state}).` : 'No run yet.'}
    </figcaption>
  </figure>`;
}
