import type { z } from 'zod';

/** One route of `/api` as the OpenAPI document describes it. */
export interface ApiRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express form, below `/api`: `/dags/:dagId/runs`. */
  path: string;
  summary: string;
  tag:
    | 'DAGs'
    | 'Runs'
    | 'Backfills'
    | 'Pools'
    | 'Assets'
    | 'Warehouse'
    | 'Stream'
    | 'Stock'
    | 'Reports'
    | 'Audit'
    | 'Meta';
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The success status (200 unless said). */
  status?: 200 | 201;
  /** A component schema of the success body (a plain object when absent). */
  returns?:
    | 'Dag'
    | 'DagList'
    | 'Run'
    | 'RunList'
    | 'TaskInstance'
    | 'MappedInstances'
    | 'Backfill'
    | 'BackfillList'
    | 'Page'
    | 'RunNote'
    | 'AuditPage'
    | 'Pool'
    | 'PoolList'
    | 'Fulfilment';
  /** Who may call it: anyone, a reader (the default), or an operator (every mutation). */
  access?: 'open' | 'reader' | 'operator';
}
