import type { Knex } from 'knex';
import type { AuditRow } from './insertAudit.js';

export interface AuditLogFilter {
  actor?: string;
  action?: string;
  source?: AuditRow['source'];
  outcome?: AuditRow['outcome'];
  dagId?: string;
  runId?: number;
  since?: Date;
}

/**
 * One page of the audit log, newest first, with the number of matching entries: `count(*) OVER ()`
 * gives the total in the same statement, so a page and its total always agree.
 */
export async function listAuditLog(
  knex: Knex,
  filter: AuditLogFilter,
  page: { limit: number; offset: number },
): Promise<{ items: AuditRow[]; total: number; limit: number; offset: number }> {
  const q = knex('orchestrator.audit_log')
    .select('*', knex.raw('count(*) OVER () AS __total'))
    .orderBy([
      { column: 'at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(page.limit)
    .offset(page.offset);
  if (filter.actor !== undefined) q.where('actor', filter.actor);
  if (filter.action !== undefined) q.where('action', filter.action);
  if (filter.source !== undefined) q.where('source', filter.source);
  if (filter.outcome !== undefined) q.where('outcome', filter.outcome);
  if (filter.dagId !== undefined) q.where('dag_id', filter.dagId);
  if (filter.runId !== undefined) q.where('run_id', filter.runId);
  if (filter.since !== undefined) q.where('at', '>=', filter.since);
  const rows: Array<AuditRow & { __total?: number }> = await q;
  const total = rows.length > 0 ? Number(rows[0]!.__total) : 0;
  for (const row of rows) delete row.__total;
  return { items: rows, total, limit: page.limit, offset: page.offset };
}
