import { h } from './html.js';
import { layout, NAV, type PageContext } from './layout.js';

/**
 * The page for an address that leads nowhere: what was asked for, and every section of the
 * dashboard to go on from (the nav, and the same list with what each section holds).
 */
export function notFoundPage(ctx: PageContext, path: string, message = 'page not found'): string {
  const about: Record<string, string> = {
    '/dags': 'every DAG, its schedule, grid and trigger form',
    '/runs': 'recent runs across DAGs, by DAG and state',
    '/backfills': 'backfills of every DAG and their progress',
    '/alerts': 'open alerts from the DAGs and the stream',
    '/quality': 'data-quality checks and rule results',
    '/stream': 'live throughput, open windows and anomalies',
    '/admin/queues': 'the task queues (Bull Board)',
  };
  return layout(
    ctx,
    'Not found',
    h`<h1>Not found</h1>
      <p class="error">Nothing here: <code>${path}</code> (${message}).</p>
      <p>Where to go from here:</p>
      <ul class="not-found-links">
        ${NAV.map(
          ([href, label]) =>
            h`<li><a href="${href}">${label}</a>${about[href] ? h` <span class="muted">— ${about[href]}</span>` : ''}</li>`,
        )}
        <li><a href="/api/dags">/api</a> <span class="muted">— the same data as JSON</span></li>
      </ul>`,
  );
}
