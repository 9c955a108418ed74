import os from 'node:os';
import { coerceError, type Knex, type Logger } from '../platform/index.js';
import {
  insertAudit,
  listAuditLog,
  type AuditLogFilter,
  type AuditRow,
  type NewAuditRow,
} from './store/index.js';

/**
 * The audit log: every change made by hand, by whom, through what, and how it ended. Callers
 * record through `audited` (one line around the change) or `recordAudit` (inside their own
 * transaction, or for an attempt refused before it started).
 */

/** Where a change came from: the dashboard's pages, its JSON API, or the command line. */
export const AUDIT_SOURCES = ['ui', 'api', 'cli'] as const;
export type AuditSource = (typeof AUDIT_SOURCES)[number];

/** `ok`: done; `failed`: attempted and it threw; `refused`: not allowed to this actor (403). */
export const AUDIT_OUTCOMES = ['ok', 'failed', 'refused'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** The actions the project records (`noun.verb`); the audit page offers them as a filter. */
export const AUDIT_ACTIONS = [
  'run.trigger',
  'run.clear',
  'run.note',
  'run.cancel',
  'task.mark',
  'dag.pause',
  'dag.unpause',
  'backfill.create',
  'backfill.cancel',
  'pool.set',
  'dlq.replay',
  'queue.action',
  'user.add',
  'user.remove',
] as const;

/**
 * Who acts: a dashboard user's name, `token:DASHBOARD_TOKEN` for the API token, or `cli:<os
 * user>` on the command line.
 */
export interface AuditActor {
  actor: string;
  source: AuditSource;
}

/** What is changed, on what. `detail` never holds a secret (see `scrubDetail`). */
export interface AuditTarget {
  action?: string;
  dagId?: string | null;
  runId?: number | null;
  taskId?: string | null;
  detail?: Record<string, unknown>;
}

export type AuditEntry = AuditActor & AuditTarget & { action: string; outcome?: AuditOutcome };
export type { AuditRow, AuditLogFilter };

/** What `recordAudit` writes to: a knex handle or a transaction (an Engine has one as `knex`). */
export interface AuditStore {
  knex: Knex | Knex.Transaction;
  logger?: Logger;
}

/** The actor of this `wareflow` process: `cli:` and the operating-system user. */
export function cliActor(): AuditActor {
  let user = process.env.USER ?? process.env.LOGNAME;
  try {
    user = os.userInfo().username || user;
  } catch {
    // No passwd entry for this uid (a container): the environment is all there is.
  }
  return { actor: `cli:${user ?? 'unknown'}`, source: 'cli' };
}

const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|csrf|credential|hash/i;
const MAX_DETAIL_CHARS = 8_000;

/**
 * The detail as stored: keys that name a secret are dropped at every depth (a DAG's conf is free
 * JSON), and a detail larger than 8,000 characters of JSON is replaced by its size.
 */
export function scrubDetail(detail: Record<string, unknown> | undefined): Record<string, unknown> {
  const scrub = (value: unknown, depth: number): unknown => {
    if (Array.isArray(value)) return depth > 8 ? '[…]' : value.map((v) => scrub(v, depth + 1));
    if (value instanceof Date) return value.toISOString();
    if (value === null || typeof value !== 'object') return value;
    if (depth > 8) return '{…}';
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !SECRET_KEY.test(k))
        .map(([k, v]) => [k, scrub(v, depth + 1)]),
    );
  };
  const clean = scrub(detail ?? {}, 0) as Record<string, unknown>;
  const size = JSON.stringify(clean).length;
  return size > MAX_DETAIL_CHARS ? { truncated: true, chars: size } : clean;
}

/** Appends one entry (inside `store.knex`'s transaction when it is one). */
export async function recordAudit(store: AuditStore, entry: AuditEntry): Promise<AuditRow> {
  const row: NewAuditRow = {
    actor: entry.actor.slice(0, 200) || 'unknown',
    source: entry.source,
    action: entry.action,
    dag_id: entry.dagId ?? null,
    run_id: entry.runId ?? null,
    task_id: entry.taskId ?? null,
    detail: scrubDetail(entry.detail),
    outcome: entry.outcome ?? 'ok',
  };
  return insertAudit(store.knex, row);
}

/**
 * Runs a change and records it: `ok` after it succeeded (with what `describe` adds from its
 * result, e.g. the id of the run it created), `failed` with the error's message when it threw (the
 * error is thrown on). A change that succeeded is never reported as failed because its entry
 * could not be written: that is logged instead, so a client does not retry a done change.
 */
export async function audited<T>(
  store: AuditStore,
  entry: AuditEntry,
  change: () => Promise<T>,
  describe?: (result: T) => AuditTarget,
): Promise<T> {
  let result: T;
  try {
    result = await change();
  } catch (err) {
    const error = coerceError(err).message.slice(0, 500);
    await write(store, { ...entry, outcome: 'failed', detail: { ...entry.detail, error } });
    throw err;
  }
  const more = describe?.(result) ?? {};
  await write(store, { ...entry, ...more, detail: { ...entry.detail, ...more.detail } });
  return result;
}

async function write(store: AuditStore, entry: AuditEntry): Promise<void> {
  try {
    await recordAudit(store, entry);
  } catch (err) {
    store.logger?.error({ err: coerceError(err), action: entry.action }, 'audit entry not written');
  }
}

/** One page of the audit log, newest first. */
export function auditLog(
  store: AuditStore,
  filter: AuditLogFilter,
  page: { limit: number; offset: number },
): Promise<{ items: AuditRow[]; total: number; limit: number; offset: number }> {
  return listAuditLog(store.knex as Knex, filter, page);
}
