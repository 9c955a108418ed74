import { z } from 'zod';
import { RUN_STATES } from '../engine/index.js';
import { RULE_GROUPS } from '../dags/index.js';
import { SEVERITIES } from '../inventory/alerts/index.js';
import { WINDOW_KINDS } from '../streaming/index.js';

/**
 * Schemas of everything the dashboard accepts from a request. Handlers parse with these and never
 * touch `req.params`, `req.query` or `req.body` otherwise; a failure becomes a 400 naming the field.
 * Allowed values (run states, severities, rule groups, window kinds) come from their owners.
 */

/** The engine's id rule (letters, digits, `_`, `-`, `.`). */
export const idSchema = z
  .string()
  .min(1)
  .max(250)
  .regex(/^[A-Za-z0-9_.-]+$/, { error: "must be letters, digits, '_', '-' or '.'" });

export const dagParams = z.object({ dagId: idSchema });
export const runParams = z.object({
  runId: z.coerce.number({ error: 'run id must be a number' }).int().positive(),
});
export const dagRunParams = dagParams.extend(runParams.shape);
export const taskParams = runParams.extend({ taskId: idSchema });
export const dagTaskParams = dagRunParams.extend({ taskId: idSchema });
export const backfillParams = z.object({ backfillId: z.coerce.number().int().positive() });

/** `?limit=&offset=`; limit at most 500. */
export const pagination = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

const isoInstant = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), { error: 'expected an ISO-8601 date or date-time' })
  .transform((v) => new Date(v));

/** Window kinds in the streaming sidecar's order (the stream page lists them so). */
export const WINDOW_KIND_NAMES = WINDOW_KINDS.map((k) => k.kind);

export const RUN_TYPE_NAMES = ['scheduled', 'manual', 'backfill'] as const;

export const runsQuery = pagination.extend({
  state: z.enum(RUN_STATES).optional(),
  run_type: z.enum(RUN_TYPE_NAMES).optional(),
});

/** The /runs page: the runs query plus a DAG; an empty select (`?dag=&state=`) means "any". */
export const allRunsQuery = z.preprocess(
  (q) => Object.fromEntries(Object.entries(q as Record<string, unknown>).filter(([, v]) => v !== '')),
  runsQuery.extend({ dag: idSchema.optional() }),
);

/** `?try=N&after=ID`: one try's lines, only those after the last one a page already shows. */
export const logsQuery = z.object({
  try: z.coerce.number().int().positive().optional(),
  after: z.coerce.number().int().min(0).optional(),
});

/** Body of a trigger: `{"conf": {...}}`; conf is checked against the DAG's params by the engine. */
export const triggerBody = z.strictObject({
  conf: z.record(z.string(), z.unknown()).default({}),
});

export const clearBody = z.strictObject({
  task_ids: z.array(idSchema).max(1000).optional(),
  downstream: z.boolean().default(false),
  only_failed: z.boolean().default(false),
});

export const markBody = z.strictObject({ state: z.enum(['success', 'failed']) });

export const pauseBody = z.strictObject({ is_paused: z.boolean() });

export const backfillBody = z
  .strictObject({
    from: isoInstant,
    to: isoInstant,
    concurrency: z.coerce.number().int().min(1).max(64).default(4),
    reset: z.boolean().default(false),
    conf: z.record(z.string(), z.unknown()).default({}),
  })
  .refine((b) => b.from.getTime() <= b.to.getTime(), { error: 'from must not be after to', path: ['to'] });

const boolText = z.enum(['true', 'false']).transform((v) => v === 'true');
const text = z.string().max(200);

export const alertsQuery = pagination.extend({
  status: z.enum(['open', 'resolved', 'all']).default('open'),
  severity: z.enum(SEVERITIES).optional(),
  alert_type: text.optional(),
  source: text.optional(),
  sku: text.optional(),
  warehouse_id: text.optional(),
  since: isoInstant.optional(),
});

export const qualityResultsQuery = pagination.extend({
  passed: boolText.optional(),
  rule_group: z.enum(RULE_GROUPS).optional(),
  rule_id: text.optional(),
  check_run_key: text.optional(),
  since: isoInstant.optional(),
});

export const qualityRunsQuery = pagination.extend({ since: isoInstant.optional() });

export const windowsQuery = pagination.extend({
  window_kind: z.enum(WINDOW_KIND_NAMES).default('tumbling_1m'),
  sku: text.optional(),
  warehouse_id: text.optional(),
  from: isoInstant.optional(),
  to: isoInstant.optional(),
});

export const throughputQuery = z.object({
  window_kind: z.enum(WINDOW_KIND_NAMES).default('tumbling_1m'),
  hours: z.coerce
    .number()
    .min(0.1)
    .max(24 * 31)
    .default(6),
  sku: text.optional(),
  warehouse_id: text.optional(),
});

export const anomaliesQuery = pagination.extend({
  anomaly_type: text.optional(),
  severity: z.enum(SEVERITIES).optional(),
  sku: text.optional(),
  warehouse_id: text.optional(),
  since: isoInstant.optional(),
});
