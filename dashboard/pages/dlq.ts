import { Router } from 'express';
import { z } from 'zod';
import { ServiceUnavailableError, coerceError } from '../../platform/index.js';
import {
  DEAD_LETTER_STREAMS,
  DLQ_REASONS,
  deadLettersOf,
  listDeadLetters,
  replayDeadLetters,
  type DeadLetter,
  type DeadLetterSources,
  type DeadLetterStream,
} from '../../streaming/index.js';
import { actorOf, audited } from '../audit.js';
import { requireMutation } from '../auth.js';
import type { RouteDeps } from '../deps.js';
import { formatTime } from '../views/format.js';
import { h } from '../views/html.js';
import { actionButton, layout } from '../views/layout.js';
import { pageQuery } from '../warehouseQueries.js';
import { querySchema } from '../validation.js';
import { pageContext, redirectWithFlash } from './context.js';

/** How many dead letters the page lists (the newest); the counts cover all of them. */
const SHOWN = 200;

const topic = z.enum(DEAD_LETTER_STREAMS).default('inventory');
const dlqQuery = querySchema({ topic, reason: z.enum(DLQ_REASONS).optional() });
const replayForm = z.object({ topic, reason: z.enum(DLQ_REASONS), _csrf: z.string().optional() });

/** What each stream's dead letters were refused by. */
const CONTRACT: Record<DeadLetterStream, string> = {
  inventory: 'SPEC §3',
  orders: 'inventory/fulfilment/CONTRACT.md',
  shipments: 'inventory/fulfilment/CONTRACT.md',
  audit: 'inventory/fulfilment/CONTRACT.md',
};

/** The page of one stream's DLQ, filtered by a reason or not. */
const pageHref = (stream: DeadLetterStream, reason?: string) => {
  const q = new URLSearchParams();
  if (stream !== 'inventory') q.set('topic', stream);
  if (reason) q.set('reason', reason);
  const query = q.toString();
  return query ? `/dlq?${query}` : '/dlq';
};

/** The DLQ topic as the streaming owner reads it; Kafka being down is a 503, not a 500. */
async function read<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ServiceUnavailableError) throw err;
    throw new ServiceUnavailableError('kafka', coerceError(err).message);
  }
}

/**
 * The dead-letter topics for operators, one stream at a time (`?topic=inventory|orders|shipments|
 * audit`): counts by `x-dlq-reason`, the newest messages, and a replay button per reason (a POST
 * with the session's CSRF token, like every mutation) that sends them back to their source topic.
 */
export function dlqPages(deps: RouteDeps, sources: DeadLetterSources): Router {
  const { policy } = deps;
  const r = Router();

  r.get('/dlq', async (req, res) => {
    const ctx = pageContext(req, res, policy);
    const q = dlqQuery.parse(pageQuery(req.query));
    const dlq = deadLettersOf(sources, q.topic);
    const all = await read(() => listDeadLetters(dlq));
    const byReason = new Map<string, { total: number; waiting: number; newest: Date }>();
    for (const d of all) {
      const row = byReason.get(d.reason) ?? { total: 0, waiting: 0, newest: d.deadAt };
      row.total++;
      if (d.replayedAt === null) row.waiting++;
      if (d.deadAt > row.newest) row.newest = d.deadAt;
      byReason.set(d.reason, row);
    }
    const shown = all
      .filter((d) => q.reason === undefined || d.reason === q.reason)
      .sort((a, b) => b.deadAt.getTime() - a.deadAt.getTime())
      .slice(0, SHOWN);
    res.send(
      layout(
        ctx,
        'Dead letters',
        h`<h1>Dead letters</h1>
          <form method="get" class="filters" id="dlq-topic">
            <select name="topic" aria-label="Topic">
              ${DEAD_LETTER_STREAMS.map(
                (stream) =>
                  h`<option value="${stream}" ${stream === q.topic ? h` selected` : ''}>${deadLettersOf(sources, stream).topics.dlq}</option>`,
              )}
            </select>
            <button type="submit" class="btn secondary">Show</button>
          </form>
          <p class="muted">
            Messages of ${dlq.topics.dlq} with the reason they were refused (${CONTRACT[q.topic]}). Replaying
            sends a message's original key and bytes back to ${dlq.topics.events}: it is validated again,
            and an event applied before is not applied twice. A message replayed once is not sent again.
          </p>
          ${
            byReason.size === 0
              ? h`<p class="empty">No dead letters.</p>`
              : h`<table id="dlq-reasons">
                  <thead><tr><th>Reason</th><th>Messages</th><th>Not replayed</th><th>Newest</th><th></th></tr></thead>
                  <tbody>
                    ${[...byReason].map(
                      ([reason, row]) => h`<tr data-reason="${reason}">
                        <td><a href="${pageHref(q.topic, reason)}">${reason}</a></td>
                        <td>${row.total}</td>
                        <td>${row.waiting}</td>
                        <td>${formatTime(row.newest)}</td>
                        <td>${
                          row.waiting > 0
                            ? actionButton(ctx, '/dlq/replay', `Replay ${row.waiting}`, {
                                topic: q.topic,
                                reason,
                              })
                            : ''
                        }</td>
                      </tr>`,
                    )}
                  </tbody>
                </table>`
          }
          ${shown.length === 0 ? '' : deadLetterTable(shown, q.reason)}`,
      ),
    );
  });

  r.post('/dlq/replay', requireMutation(policy, 'page'), async (req, res) => {
    const { topic: stream, reason } = replayForm.parse(req.body ?? {});
    const dlq = deadLettersOf(sources, stream);
    const by = `dashboard:${actorOf(req, res).actor}`;
    const result = await audited(
      deps,
      req,
      res,
      { action: 'dlq.replay', detail: { topic: dlq.topics.dlq, reason } },
      () => read(() => replayDeadLetters(dlq, { reason, by })),
      (r) => ({ detail: { replayed: r.replayed.length, already_replayed: r.alreadyReplayed.length } }),
    );
    const n = result.replayed.length;
    redirectWithFlash(
      res,
      pageHref(stream, reason),
      `replayed ${n} ${reason} message${n === 1 ? '' : 's'}; ${result.alreadyReplayed.length} already replayed`,
    );
  });

  return r;
}

function deadLetterTable(letters: DeadLetter[], reason: string | undefined) {
  return h`<h2>${reason ? h`${reason}: ` : ''}newest ${letters.length}</h2>
    <table id="dlq-messages">
      <thead>
        <tr><th>Id</th><th>Dead-lettered</th><th>Reason</th><th>Event or key</th><th>Detail</th><th>Replayed</th></tr>
      </thead>
      <tbody>
        ${letters.map(
          (d) => h`<tr data-id="${d.id}">
            <td>${d.id}</td>
            <td>${formatTime(d.deadAt)}</td>
            <td>${d.reason}</td>
            <td class="mono">${d.eventId ?? d.key ?? '—'}</td>
            <td>${d.detail}</td>
            <td>${formatTime(d.replayedAt) || '—'}</td>
          </tr>`,
        )}
      </tbody>
    </table>`;
}
