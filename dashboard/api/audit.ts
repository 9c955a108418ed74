import { Router } from 'express';
import { requireOperator } from '../auth.js';
import type { RouteDeps } from '../deps.js';
import { auditQuery } from '../validation.js';

/** The audit log as JSON, newest first; operators only (it tells who did what). */
export function auditApi(deps: RouteDeps): Router {
  const r = Router();

  r.get('/audit', requireOperator(), async (req, res) => {
    const q = auditQuery.parse(req.query);
    res.json(
      await deps.engine.auditLog(
        {
          ...(q.actor ? { actor: q.actor } : {}),
          ...(q.action ? { action: q.action } : {}),
          ...(q.source ? { source: q.source } : {}),
          ...(q.outcome ? { outcome: q.outcome } : {}),
          ...(q.since ? { since: q.since } : {}),
        },
        q,
      ),
    );
  });

  return r;
}
