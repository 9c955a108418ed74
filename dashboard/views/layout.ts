import { h, type HtmlValue, type SafeHtml } from './html.js';

/** What every page needs to know about the viewer. */
export interface PageContext {
  /** Logged-in user, if any. */
  user?: string;
  /** The session's CSRF token (forms and fetches of this page send it back). */
  csrf?: string;
  /** The logged-in user's role; Bull Board (Queues) is shown to operators only. */
  role?: 'viewer' | 'operator';
  /** Mutations are possible for this viewer (an operator, and not read-only). */
  canMutate: boolean;
  readOnly: boolean;
  hasLogin: boolean;
  /** The request's path, to mark the current section and to come back after login. */
  path: string;
  /** A one-line message after a redirect (`?flash=`), shown once. */
  flash?: string;
}

/** The sections, in nav order; the 404 page lists them too. */
export const NAV: Array<[string, string]> = [
  ['/dags', 'DAGs'],
  ['/runs', 'Runs'],
  ['/backfills', 'Backfills'],
  ['/pools', 'Pools'],
  ['/assets', 'Assets'],
  ['/alerts', 'Alerts'],
  ['/quality', 'Data quality'],
  ['/stream', 'Stream'],
  ['/dlq', 'Dead letters'],
  ['/stock', 'Stock'],
  ['/reorders', 'Reorders'],
  ['/fulfilment', 'Fulfilment'],
  ['/reports', 'Reports'],
  ['/audit', 'Audit'],
  ['/admin/queues', 'Queues'],
];

/** Sections only operators may open, so only operators see them in the nav. */
const OPERATOR_SECTIONS = new Set(['/audit', '/admin/queues']);

export function layout(
  ctx: PageContext,
  title: string,
  body: SafeHtml,
  options: { refresh?: boolean } = {},
): string {
  const section = (href: string) =>
    href === '/dags' ? ctx.path === '/' || ctx.path.startsWith('/dags') : ctx.path.startsWith(href);
  return (
    '<!DOCTYPE html>' +
    h`<html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="csrf-token" content="${ctx.csrf ?? ''}" />
        <title>${title} · wareflow</title>
        <link rel="stylesheet" href="/static/app.css" />
        <link rel="stylesheet" href="/static/dagCharts.css" />
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
        <script src="/static/app.js" defer></script>
      </head>
      <body data-refresh="${options.refresh ? 'on' : 'off'}">
        <header class="top">
          <a class="brand" href="/">wareflow</a>
          <nav>
            ${NAV.filter(([href]) => !OPERATOR_SECTIONS.has(href) || ctx.role === 'operator').map(
              ([href, label]) => h`<a href="${href}" class="${section(href) ? 'active' : ''}">${label}</a>`,
            )}
          </nav>
          <div class="who">
            ${ctx.readOnly ? h`<span class="badge">read-only</span>` : ''}
            ${
              ctx.user
                ? h`<span>${ctx.user}</span>
                    <form method="post" action="/logout" class="inline">
                      <input type="hidden" name="_csrf" value="${ctx.csrf ?? ''}" />
                      <button type="submit" class="link">Log out</button>
                    </form>`
                : ctx.hasLogin
                  ? h`<a href="/login?next=${encodeURIComponent(ctx.path)}">Log in</a>`
                  : ''
            }
          </div>
        </header>
        <main>${ctx.flash ? h`<p class="flash" role="status">${ctx.flash}</p>` : ''} ${body}</main>
      </body>
    </html>`.value
  );
}

/** A hidden CSRF field for a form of this page. */
export function csrfField(ctx: PageContext): SafeHtml {
  return h`<input type="hidden" name="_csrf" value="${ctx.csrf ?? ''}" />`;
}

/** A one-button POST form (pause, clear, mark…); rendered only for viewers who can mutate. */
export function actionButton(
  ctx: PageContext,
  action: string,
  label: string,
  fields: Record<string, string> = {},
  options: { className?: string; confirm?: string } = {},
): SafeHtml | '' {
  if (!ctx.canMutate) return '';
  return h`<form
    method="post"
    action="${action}"
    class="inline"
    ${options.confirm ? h` data-confirm="${options.confirm}"` : ''}
  >
    ${csrfField(ctx)}
    ${Object.entries(fields).map(([k, v]) => h`<input type="hidden" name="${k}" value="${v}" />`)}
    <button type="submit" class="${options.className ?? 'btn'}">${label}</button>
  </form>`;
}

/** A state as a coloured label, Airflow's colours. */
export function stateLabel(state: string | null | undefined): SafeHtml {
  const s = state ?? 'none';
  return h`<span class="state state-${s}">${s.replace(/_/g, ' ')}</span>`;
}

/** Previous / next page links keeping the other query parameters. */
export function pager(
  path: string,
  query: Record<string, string | number | undefined>,
  page: { limit: number; offset: number; total: number },
): HtmlValue {
  if (page.total <= page.limit && page.offset === 0) return '';
  const link = (offset: number, label: string) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
    q.set('offset', String(offset));
    q.set('limit', String(page.limit));
    return h`<a href="${path}?${q.toString()}">${label}</a>`;
  };
  const last = Math.min(page.offset + page.limit, page.total);
  return h`<p class="pager">
    ${page.offset > 0 ? link(Math.max(0, page.offset - page.limit), '← newer') : ''}
    <span>${page.total === 0 ? 0 : page.offset + 1}–${last} of ${page.total}</span>
    ${last < page.total ? link(page.offset + page.limit, 'older →') : ''}
  </p>`;
}

export function errorPage(ctx: PageContext, status: number, message: string): string {
  return layout(
    ctx,
    `Error ${status}`,
    h`<h1>Error ${status}</h1>
      <p class="error">${message}</p>
      <p><a href="/">Back to the DAGs</a></p>`,
  );
}
