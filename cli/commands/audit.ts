import type { Command } from 'commander';
import { AUDIT_OUTCOMES, AUDIT_SOURCES, auditLog, type AuditLogFilter } from '../../engine/index.js';
import { createKnex, loadConfig } from '../../platform/index.js';
import { UsageError } from '../errors.js';
import { iso, parseDate, printJson, printTable, wholeNumber } from './arguments.js';

interface AuditOptions {
  json?: boolean;
  limit: number;
  offset: number;
  actor?: string;
  action?: string;
  source?: string;
  outcome?: string;
  since?: Date;
}

function oneOf(name: string, allowed: readonly string[]) {
  return (value: string): string => {
    if (!allowed.includes(value))
      throw new UsageError(`${name} must be ${allowed.join(', ')} (got ${value})`);
    return value;
  };
}

function actionName(value: string): string {
  if (!/^[a-z_]+\.[a-z_]+$/.test(value))
    throw new UsageError(`--action must look like run.trigger or dag.pause (got ${value.slice(0, 80)})`);
  return value;
}

function actorName(value: string): string {
  if (value.length === 0 || value.length > 200) throw new UsageError('--actor must be 1 to 200 characters');
  return value;
}

/**
 * `wareflow audit`: the audit log, newest first. `--json` prints one document,
 * `{"entries":[…],"total":N}`, each entry with the columns of `orchestrator.audit_log`.
 */
export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description('the audit log: who changed what, when, from the UI, the API or the CLI (newest first)')
    .option('--limit <n>', 'at most this many entries', wholeNumber('--limit', 1, 10_000), 50)
    .option('--offset <n>', 'skip this many newest entries', wholeNumber('--offset', 0), 0)
    .option('--actor <name>', 'only this actor (a user, token:DASHBOARD_TOKEN or cli:<os user>)', actorName)
    .option(
      '--action <action>',
      'only this action (run.trigger, run.clear, task.mark, dag.pause …)',
      actionName,
    )
    .option('--source <source>', `only from ${AUDIT_SOURCES.join(', ')}`, oneOf('--source', AUDIT_SOURCES))
    .option('--outcome <outcome>', `only ${AUDIT_OUTCOMES.join(', ')}`, oneOf('--outcome', AUDIT_OUTCOMES))
    .option('--since <time>', 'only since (YYYY-MM-DD or ISO-8601 with zone)', (v) => parseDate('--since', v))
    .option('--json', 'print one JSON document: {"entries":[…],"total":N}')
    .action(async (opts: AuditOptions) => {
      const config = loadConfig();
      const knex = createKnex(config.DATABASE_URL, { poolMax: 1, applicationName: 'wareflow-audit' });
      try {
        const filter: AuditLogFilter = {
          ...(opts.actor ? { actor: opts.actor } : {}),
          ...(opts.action ? { action: opts.action } : {}),
          ...(opts.source ? { source: opts.source as AuditLogFilter['source'] } : {}),
          ...(opts.outcome ? { outcome: opts.outcome as AuditLogFilter['outcome'] } : {}),
          ...(opts.since ? { since: opts.since } : {}),
        };
        const page = await auditLog({ knex }, filter, { limit: opts.limit, offset: opts.offset });
        if (opts.json) {
          printJson({ entries: page.items.map((e) => ({ ...e, at: iso(e.at) })), total: page.total });
          return;
        }
        printTable(
          ['id', 'at', 'actor', 'source', 'action', 'target', 'outcome', 'detail'],
          page.items.map((e) => [
            e.id,
            iso(e.at),
            e.actor,
            e.source,
            e.action,
            [e.dag_id, e.run_id === null ? null : `run ${e.run_id}`, e.task_id].filter(Boolean).join(' '),
            e.outcome,
            JSON.stringify(e.detail).slice(0, 80),
          ]),
        );
        if (page.total > page.offset + page.items.length)
          console.log(
            `(${page.items.length} of ${page.total}; --offset ${page.offset + page.items.length} for more)`,
          );
      } finally {
        await knex.destroy();
      }
    });
}
