import type { Dag } from '../../engine/index.js';
import type { AssetDetail, AssetSummaryRow } from '../engine.js';
import { dagHref, runHref } from './dagViews.js';
import { formatDuration, formatTime } from './format.js';
import { h, type SafeHtml } from './html.js';
import { stateLabel } from './layout.js';

export const assetHref = (key: string) => `/assets/${encodeURIComponent(key)}`;

type Declarations = AssetSummaryRow['declarations'];

/** DAGs that write the asset (a task's outlet) and DAGs that read it (inlet, trigger or gate). */
export function lineageOf(declarations: Declarations): { producers: string[]; consumers: string[] } {
  const unique = (xs: string[]) => [...new Set(xs)].sort();
  return {
    producers: unique(declarations.filter((d) => d.role === 'outlet').map((d) => d.dag_id)),
    consumers: unique(declarations.filter((d) => d.role !== 'outlet').map((d) => d.dag_id)),
  };
}

const ROLE_TEXT = {
  outlet: 'writes',
  inlet: 'reads',
  on_assets: 'runs when it has new events',
  wait_for: 'waits for its partitions',
} as const;

/** A run of a daily asset is fresh for two days, of a weekly one for two weeks; unpartitioned: a day. */
function freshness(a: AssetSummaryRow, now: Date): SafeHtml {
  if (!a.latest_event_at) return h`<span class="badge">never written</span>`;
  const age = now.getTime() - new Date(a.latest_event_at).getTime();
  const limit = (a.partitioning === 'weekly' ? 14 : 2) * 86_400_000;
  const label = `${formatDuration(Math.max(0, age))} ago`;
  return age <= limit
    ? h`<span class="state state-success" title="${formatTime(a.latest_event_at)}">${label}</span>`
    : h`<span class="state state-failed" title="${formatTime(a.latest_event_at)}">stale: ${label}</span>`;
}

const dagLinks = (ids: string[]) =>
  ids.length === 0 ? '—' : ids.map((id, i) => h`${i > 0 ? ', ' : ''}<a href="${dagHref(id)}">${id}</a>`);

export function assetTable(assets: AssetSummaryRow[], now: Date): SafeHtml {
  if (assets.length === 0) return h`<p class="empty">No DAG declares an asset yet.</p>`;
  return h`<table class="assets">
    <thead>
      <tr><th>Asset</th><th>Partitions</th><th>Written by</th><th>Read by</th><th>Newest partition</th><th>Last written</th></tr>
    </thead>
    <tbody>
      ${assets.map((a) => {
        const { producers, consumers } = lineageOf(a.declarations);
        return h`<tr data-asset="${a.asset_key}">
          <td><a href="${assetHref(a.asset_key)}">${a.asset_key}</a></td>
          <td>${a.partitioning ?? 'whole'} · ${a.partition_count}</td>
          <td>${dagLinks(producers)}</td>
          <td>${dagLinks(consumers)}</td>
          <td>${a.newest_partition ?? '—'}</td>
          <td>${freshness(a, now)}${
            a.latest_partition && a.latest_partition !== a.newest_partition
              ? h` <span class="muted">(partition ${a.latest_partition})</span>`
              : ''
          }</td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

/** Producers → asset → consumers, as a small inline SVG (no script). */
export function lineageSvg(a: AssetSummaryRow): SafeHtml {
  const { producers, consumers } = lineageOf(a.declarations);
  const rows = Math.max(1, producers.length, consumers.length);
  const height = rows * 36 + 8;
  const mid = height / 2;
  const y = (i: number, n: number) => (height / (n + 1)) * (i + 1);
  const box = (x: number, cy: number, label: string, href?: string) => {
    const node = h`<rect x="${x}" y="${cy - 13}" width="200" height="26" rx="4" class="lineage-node" /><text
        x="${x + 100}" y="${cy + 4}" text-anchor="middle">${label}</text>`;
    return href ? h`<a href="${href}">${node}</a>` : node;
  };
  const edge = (x1: number, y1: number, x2: number, y2: number) =>
    h`<path d="M${x1},${y1} C${x1 + 40},${y1} ${x2 - 40},${y2} ${x2},${y2}" class="lineage-edge" fill="none" stroke="currentColor" />`;
  return h`<svg class="lineage" role="img" aria-label="lineage of ${a.asset_key}" viewBox="0 0 720 ${height}" width="720" height="${height}">
    ${producers.map((p, i) => h`${box(0, y(i, producers.length), p, dagHref(p))}${edge(200, y(i, producers.length), 260, mid)}`)}
    ${box(260, mid, a.asset_key)}
    ${consumers.map((c, i) => h`${edge(460, mid, 520, y(i, consumers.length))}${box(520, y(i, consumers.length), c, dagHref(c))}`)}
  </svg>`;
}

export function declarationList(a: AssetSummaryRow): SafeHtml {
  return h`<ul class="declarations">
    ${a.declarations.map(
      (d) =>
        h`<li><a href="${dagHref(d.dag_id)}">${d.dag_id}</a>${d.task_id ? h`.${d.task_id}` : ''} ${ROLE_TEXT[d.role]}</li>`,
    )}
  </ul>`;
}

export function partitionTable(a: AssetDetail): SafeHtml {
  if (a.partitions.length === 0) return h`<p class="empty">No partition written yet.</p>`;
  return h`<table class="partitions">
    <thead><tr><th>Partition</th><th>Written</th><th>By</th><th>Rows</th><th>Read by</th></tr></thead>
    <tbody>
      ${a.partitions.map((p) =>
        p.events.map(
          (e, i) => h`<tr data-partition="${p.partition_key}">
            <td>${i === 0 ? p.partition_key || '(whole)' : ''}</td>
            <td>${formatTime(e.created_at)}</td>
            <td>${
              e.run_id !== null && e.dag_id
                ? h`<a href="${runHref(e.dag_id, e.run_id)}">${e.dag_id} run ${e.run_id}</a> · ${e.task_id} try ${e.try_number}`
                : h`${e.dag_id ?? '—'} (run deleted)`
            }</td>
            <td>${e.rows ?? ''}</td>
            <td>${
              i === 0
                ? p.readers.map(
                    (r, j) =>
                      h`${j > 0 ? h`<br />` : ''}<a href="${runHref(r.dag_id, r.run_id)}">${r.dag_id} run ${r.run_id}</a>
                        ${stateLabel(r.state)} <span class="muted">${r.how === 'triggered' ? 'triggered by it' : 'waited for it'}</span>`,
                  )
                : ''
            }</td>
          </tr>`,
        ),
      )}
    </tbody>
  </table>`;
}

/** The assets a DAG writes, reads and is scheduled on, for its page. */
export function dagAssetFacts(dag: Dag): SafeHtml | '' {
  const writes = [...new Set(dag.tasks.flatMap((t) => t.outlets.map((o) => o.asset.key)))];
  const reads = [...new Set(dag.tasks.flatMap((t) => t.inlets.map((a) => a.key)))];
  if (writes.length + reads.length + dag.onAssets.length + dag.waitForAssets.length === 0) return '';
  const links = (keys: string[]) =>
    keys.length === 0 ? '—' : keys.map((k, i) => h`${i > 0 ? ', ' : ''}<a href="${assetHref(k)}">${k}</a>`);
  return h`<dt>Writes</dt><dd>${links(writes)}</dd>
    <dt>Reads</dt><dd>${links(reads)}</dd>
    ${dag.onAssets.length ? h`<dt>Runs on</dt><dd>new events of ${links(dag.onAssets.map((a) => a.key))}</dd>` : ''}
    ${dag.waitForAssets.length ? h`<dt>Waits for</dt><dd>the partitions of ${links(dag.waitForAssets.map((a) => a.key))} its interval covers</dd>` : ''}`;
}
