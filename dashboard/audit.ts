import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { AuditActor, AuditTarget } from '../engine/index.js';
import { principalOf, type Principal } from './auth.js';
import type { RouteDeps } from './deps.js';
import type { DashboardEngine } from './engine.js';
import { classifyError } from './errors.js';

/**
 * The dashboard's side of the audit log: who a request acts as, one call around each change, the
 * attempts refused to someone identified, and Bull Board's actions.
 */

/** The name the API token acts under: it names the setting, never the secret. */
export const TOKEN_ACTOR = 'token:DASHBOARD_TOKEN';

export function actorName(principal: Principal): string {
  return principal.via === 'token' ? TOKEN_ACTOR : principal.user;
}

/** `api` for `/api/…`, `ui` for a page's form (Bull Board included). */
export function sourceOf(req: Request): 'ui' | 'api' {
  const path = req.originalUrl.split('?')[0] ?? '';
  return path === '/api' || path.startsWith('/api/') ? 'api' : 'ui';
}

/** Who a request acts as; only called behind `requireMutation`, so someone is identified. */
export function actorOf(req: Request, res: Response): AuditActor {
  const principal = principalOf(res);
  return { actor: principal ? actorName(principal) : 'anonymous', source: sourceOf(req) };
}

/**
 * Runs a change on behalf of the request and records it (see the engine's `audited`):
 * `await audited(deps, req, res, { action: 'run.clear', runId }, () => engine.clearTasks(…))`.
 */
export function audited<T>(
  deps: Pick<RouteDeps, 'engine'>,
  req: Request,
  res: Response,
  target: AuditTarget & { action: string },
  change: () => Promise<T>,
  describe?: (result: T) => AuditTarget,
): Promise<T> {
  return deps.engine.audited({ ...actorOf(req, res), ...target }, change, describe);
}

/** Starts a manual run of `dagId` with `conf`, audited as `run.trigger` (the DAG page and the API). */
export function auditedTrigger(
  deps: Pick<RouteDeps, 'engine'>,
  req: Request,
  res: Response,
  dagId: string,
  conf: Record<string, unknown>,
) {
  return audited(
    deps,
    req,
    res,
    { action: 'run.trigger', dagId, detail: { conf } },
    () => deps.engine.triggerRun(dagId, conf),
    (created) => ({ runId: created.id }),
  );
}

/** The mutations of the pages and the API by method and path, for naming a refused attempt. */
const MUTATIONS: Array<[string, string, string]> = [
  ['POST', '/dags/:dagId/pause', 'dag.pause'],
  ['POST', '/dags/:dagId/trigger', 'run.trigger'],
  ['POST', '/dags/:dagId/backfills', 'backfill.create'],
  ['POST', '/dags/:dagId/runs/:runId/clear', 'run.clear'],
  ['POST', '/dags/:dagId/runs/:runId/note', 'run.note'],
  ['POST', '/dags/:dagId/runs/:runId/tasks/:taskId/mark', 'task.mark'],
  ['POST', '/dags/:dagId/runs/:runId/cancel', 'run.cancel'],
  ['POST', '/dags/:dagId/runs/:runId/tasks/:taskId/cancel', 'task.cancel'],
  ['POST', '/backfills/:backfillId/cancel', 'backfill.cancel'],
  ['POST', '/alerts/:alertId/acknowledge', 'alert.acknowledge'],
  ['POST', '/dlq/replay', 'dlq.replay'],
  ['POST', '/pools/:pool', 'pool.set'],
  ['PATCH', '/api/dags/:dagId', 'dag.pause'],
  ['POST', '/api/dags/:dagId/runs', 'run.trigger'],
  ['POST', '/api/dags/:dagId/backfills', 'backfill.create'],
  ['PUT', '/api/dags/:dagId/runs/:runId/note', 'run.note'],
  ['POST', '/api/runs/:runId/clear', 'run.clear'],
  ['POST', '/api/runs/:runId/tasks/:taskId/mark', 'task.mark'],
  ['POST', '/api/runs/:runId/cancel', 'run.cancel'],
  ['POST', '/api/dags/:dagId/runs/:runId/cancel', 'run.cancel'],
  ['POST', '/api/runs/:runId/tasks/:taskId/cancel', 'task.cancel'],
  ['POST', '/api/dags/:dagId/runs/:runId/tasks/:taskId/cancel', 'task.cancel'],
  ['POST', '/api/backfills/:backfillId/cancel', 'backfill.cancel'],
  ['POST', '/api/alerts/:alertId/acknowledge', 'alert.acknowledge'],
  ['PUT', '/api/pools/:pool', 'pool.set'],
  ['PATCH', '/api/pools/:pool', 'pool.set'],
];

const MATCHERS = MUTATIONS.map(([method, path, action]) => ({
  method,
  action,
  pattern: new RegExp(`^${path.replace(/:(\w+)/g, '(?<$1>[^/]+)')}/?$`),
}));

/** The action and target a mutation's method and path stand for (`request.<method>` if unknown). */
export function mutationOf(method: string, path: string): AuditTarget & { action: string } {
  if (path.startsWith('/admin/queues')) return { action: 'queue.action', detail: { method, path } };
  for (const m of MATCHERS) {
    const found = m.method === method ? m.pattern.exec(path) : null;
    if (!found) continue;
    const { dagId, runId, taskId } = found.groups ?? {};
    const run = runId !== undefined && /^\d{1,15}$/.test(runId) ? Number(runId) : undefined;
    return {
      action: m.action,
      ...(dagId ? { dagId: safeId(dagId) } : {}),
      ...(run ? { runId: run } : {}),
      ...(taskId ? { taskId: safeId(taskId) } : {}),
    };
  }
  return { action: `request.${method.toLowerCase()}`, detail: { path: path.slice(0, 300) } };
}

const safeId = (value: string) => {
  try {
    return decodeURIComponent(value).slice(0, 250);
  } catch {
    return value.slice(0, 250);
  }
};

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const OPEN = new Set(['/login', '/logout']);

/**
 * Records a mutation refused (403, or 415 for a form sent with Basic credentials) to someone
 * identified: a viewer, a missing CSRF token, a cross-site post, a read-only dashboard. Anonymous
 * attempts (401) are not recorded: they name no one and would let anybody fill the table; failed
 * logins are throttled and logged by the authenticator. Mounted before the error handler.
 */
export function auditRefusals(engine: DashboardEngine): ErrorRequestHandler {
  return (thrown, req, res, next) => {
    const principal = principalOf(res);
    const path = req.originalUrl.split('?')[0] ?? '/';
    if (!principal || READS.has(req.method) || OPEN.has(path)) return next(thrown);
    const { status, message } = classifyError(thrown);
    if (status !== 403 && status !== 415) return next(thrown);
    const target = mutationOf(req.method, path);
    engine
      .recordAudit({
        actor: actorName(principal),
        source: sourceOf(req),
        ...target,
        outcome: 'refused',
        detail: { ...target.detail, status, reason: message },
      })
      .then(
        () => next(thrown),
        () => next(thrown),
      );
  };
}

/**
 * Bull Board's actions (retry, promote, remove, clean, pause a queue) are its own routes: each one
 * it answered with success is recorded once the answer is sent.
 */
export function auditBoard(engine: DashboardEngine): RequestHandler {
  return (req, res, next) => {
    const principal = principalOf(res);
    if (!READS.has(req.method) && principal) {
      const path = req.originalUrl.split('?')[0] ?? '';
      res.once('finish', () => {
        if (res.statusCode >= 400) return;
        void engine
          .recordAudit({
            actor: actorName(principal),
            source: 'ui',
            action: 'queue.action',
            detail: { method: req.method, path: path.slice(0, 300) },
          })
          .catch(() => undefined);
      });
    }
    next();
  };
}
