import { z } from 'zod';
import {
  AUDIT_OUTCOMES,
  AUDIT_SOURCES,
  noteLength,
  RUN_NOTE_MAX_CHARS,
  RUN_STATES,
} from '../engine/index.js';
import { RULE_GROUPS } from '../dags/index.js';
import { ALERT_SUBJECTS, SEVERITIES } from '../inventory/alerts/index.js';
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

/** A task instance's id: a task id, or a mapped task's instance `task[i]`. */
export const taskInstanceIdSchema = z
  .string()
  .min(1)
  .max(250)
  .regex(/^[A-Za-z0-9_.-]+(\[\d{1,9}\])?$/, {
    error: "must be letters, digits, '_', '-' or '.', with [index] for a mapped task's instance",
  });

/**
 * A whole number as a person types it: decimal digits only, so `0x10`, `1e3`, `Infinity` and
 * ` 5` are refused rather than read as 16, 1000, a never-ending page or 5.
 */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
  const error = `must be a whole number ${range}`;
  return z
    .string({ error })
    .regex(/^\d{1,16}$/, { error })
    .transform(Number)
    .pipe(z.number().min(min, { error }).max(max, { error }));
}

/**
 * Text a filter compares with stored text: printable, so no control characters (PostgreSQL's text
 * cannot hold NUL) and no U+FFFD, which is what a URL's bytes that were not UTF-8 decode to.
 */
export function printable(max: number) {
  return z
    .string()
    .max(max)
    .refine((v) => ![...v].some(isUnprintable), { error: 'must be printable text' });
}

function isUnprintable(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  return c < 0x20 || (c >= 0x7f && c < 0xa0) || c === 0xfffd || (c >= 0xd800 && c <= 0xdfff);
}

/** SKUs and warehouse ids as the master data stores them: upper-case, trimmed, no blanks. */
export const codeSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:/#-]*$/, {
    error: "must be letters, digits, '_', '.', ':', '/', '#' or '-'",
  })
  .transform((v) => v.toUpperCase());
/** An empty value from a form's "any" option means no filter. */
export const optionalCode = z
  .literal('')
  .transform(() => undefined)
  .or(codeSchema)
  .optional();

/**
 * A query string's schema: unknown parameters are refused (a misspelt filter would otherwise
 * silently show everything), and an empty value, what a form's "any" option sends, means absent.
 */
export function querySchema<S extends z.ZodRawShape>(shape: S) {
  return z.preprocess(
    (q) =>
      Object.fromEntries(Object.entries((q ?? {}) as Record<string, unknown>).filter(([, v]) => v !== '')),
    z.strictObject(shape),
  );
}

export const dagParams = z.object({ dagId: idSchema });
/** An asset key, as `asset()` accepts it. */
export const assetParams = z.object({
  assetKey: z.string().regex(/^[A-Za-z0-9_.:/-]{1,200}$/, { error: 'not an asset key' }),
});
export const runParams = z.object({ runId: wholeNumber(1) });
export const dagRunParams = dagParams.extend(runParams.shape);
export const taskParams = runParams.extend({ taskId: taskInstanceIdSchema });
export const dagTaskParams = dagRunParams.extend({ taskId: taskInstanceIdSchema });
/** A mapped task (its instances are listed under it). */
export const mappedTaskParams = dagRunParams.extend({ taskId: idSchema });
export const backfillParams = z.object({ backfillId: wholeNumber(1) });
export const alertParams = z.object({ alertId: z.uuid({ error: 'must be an alert id (a UUID)' }) });
/** The acknowledge form: only the session's CSRF token (checked by `requireMutation`). */
export const acknowledgeForm = z.object({ _csrf: z.string().max(200).optional() });

/** `?limit=&offset=`; limit at most 500. */
export const pagination = z.object({
  limit: wholeNumber(1, 500).default(50),
  offset: wholeNumber(0, 1_000_000).default(0),
});

/** YYYY-MM-DD, optionally with a time (and a zone; without one it is the server's local time). */
const ISO = /^(\d{4}-\d{2}-\d{2})([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** An ISO-8601 date or date-time of the calendar: 2026-02-30 is refused, not read as March 2nd. */
export const isoInstant = z
  .string()
  .refine(
    (v) => {
      const day = ISO.exec(v)?.[1];
      return day !== undefined && !Number.isNaN(Date.parse(v)) && isCalendarDay(day);
    },
    { error: 'expected an ISO-8601 date or date-time' },
  )
  .transform((v) => new Date(v));

function isCalendarDay(day: string): boolean {
  const d = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(day);
}

/** Window kinds in the streaming sidecar's order (the stream page lists them so). */
export const WINDOW_KIND_NAMES = WINDOW_KINDS.map((k) => k.kind);

export const RUN_TYPE_NAMES = ['scheduled', 'manual', 'backfill', 'asset_triggered'] as const;

const runsShape = {
  ...pagination.shape,
  state: z.enum(RUN_STATES).optional(),
  run_type: z.enum(RUN_TYPE_NAMES).optional(),
};
export const runsQuery = querySchema(runsShape);

/** The /runs page: the runs query plus a DAG; an empty select (`?dag=&state=`) means "any". */
export const allRunsQuery = querySchema({ ...runsShape, dag: idSchema.optional() });

/** `?try=N&after=ID`: one try's lines, only those after the last one a page already shows. */
export const logsQuery = querySchema({
  try: wholeNumber(1).optional(),
  after: wholeNumber(0).optional(),
});

/** Body of a trigger: `{"conf": {...}}`; conf is checked against the DAG's params by the engine. */
export const triggerBody = z.strictObject({
  conf: z.record(z.string(), z.unknown()).default({}),
});

export const clearBody = z.strictObject({
  task_ids: z.array(taskInstanceIdSchema).max(1000).optional(),
  downstream: z.boolean().default(false),
  only_failed: z.boolean().default(false),
});

export const markBody = z.strictObject({ state: z.enum(['success', 'failed']) });

/** Body of a cancel, optional: why (shown on the run and in the task log). */
export const cancelBody = z.strictObject({
  reason: printable(500)
    .transform((v) => v.trim())
    .refine((v) => v.length > 0, { error: 'must not be blank' })
    .optional(),
});

/** Body of a backfill cancel: also cancel its runs that have started. */
export const cancelBackfillBody = cancelBody.extend({ include_running: z.boolean().default(false) });

export const pauseBody = z.strictObject({ is_paused: z.boolean() });

export const backfillBody = z
  .strictObject({
    from: isoInstant,
    to: isoInstant,
    concurrency: z.coerce.number().int().min(1).max(64).default(4),
    reset: z.boolean().default(false),
    /** The priority of its runs (production runs: 0); below 0 their tasks go after production's. */
    priority: z.number().int().min(-1_000_000).max(1_000_000).default(-1),
    conf: z.record(z.string(), z.unknown()).default({}),
  })
  // Checked only once both are dates: a refinement of the object runs even when a field failed.
  .refine((b) => !(b.from instanceof Date && b.to instanceof Date) || b.from.getTime() <= b.to.getTime(), {
    error: 'from must not be after to',
    path: ['to'],
  });

const boolText = z.enum(['true', 'false']).transform((v) => v === 'true');
const text = printable(200);

export const alertsQuery = querySchema({
  ...pagination.shape,
  status: z.enum(['open', 'resolved', 'all']).default('open'),
  severity: z.enum(SEVERITIES).optional(),
  alert_type: text.optional(),
  source: text.optional(),
  sku: optionalCode,
  warehouse_id: optionalCode,
  /** Subject alerts of one kind: `order`, `shipment`, `audit_entity`. */
  subject_type: z.enum(Object.values(ALERT_SUBJECTS) as [string, ...string[]]).optional(),
  /** The alerts of one subject: an order id, a shipment id, `entity:entity_id`. */
  subject_id: text.optional(),
  since: isoInstant.optional(),
});

export const qualityResultsQuery = querySchema({
  ...pagination.shape,
  passed: boolText.optional(),
  rule_group: z.enum(RULE_GROUPS).optional(),
  rule_id: text.optional(),
  check_run_key: text.optional(),
  since: isoInstant.optional(),
});

export const qualityRunsQuery = querySchema({ ...pagination.shape, since: isoInstant.optional() });

const windowFilters = {
  window_kind: z.enum(WINDOW_KIND_NAMES).default('tumbling_1m'),
  sku: optionalCode,
  warehouse_id: optionalCode,
};

/** The windows still open of one kind (and pair). */
export const openWindowsQuery = querySchema(windowFilters);

export const windowsQuery = querySchema({
  ...pagination.shape,
  ...windowFilters,
  from: isoInstant.optional(),
  to: isoInstant.optional(),
});

export const throughputQuery = querySchema({
  window_kind: z.enum(WINDOW_KIND_NAMES).default('tumbling_1m'),
  hours: z.coerce
    .number()
    .refine(Number.isFinite, { error: 'must be a number of hours' })
    .min(0.1)
    .max(24 * 31)
    .default(6),
  sku: optionalCode,
  warehouse_id: optionalCode,
});

export const anomaliesQuery = querySchema({
  ...pagination.shape,
  anomaly_type: text.optional(),
  severity: z.enum(SEVERITIES).optional(),
  sku: optionalCode,
  warehouse_id: optionalCode,
  since: isoInstant.optional(),
});

/** The DAG page's duration history: how many latest runs. */
export const durationsQuery = querySchema({ limit: wholeNumber(1, 200).default(25) });

/** The DAG page's run calendar: which UTC year (the current one by default). */
export const calendarQuery = querySchema({ year: wholeNumber(2000, 2100).optional() });

/** The audit log's filters: `?actor=&action=&source=&outcome=&since=` and a page. */
export const auditQuery = querySchema({
  ...pagination.shape,
  actor: printable(200).optional(),
  action: z
    .string()
    .regex(/^[a-z_]+\.[a-z_]+$/, { error: 'must look like run.trigger or dag.pause' })
    .optional(),
  source: z.enum(AUDIT_SOURCES).optional(),
  outcome: z.enum(AUDIT_OUTCOMES).optional(),
  since: isoInstant.optional(),
});

/** A run's note: plain text of at most 4,000 characters; blank removes it. */
export const noteText = z
  .string()
  .refine((v) => noteLength(v.replace(/\r\n?/g, '\n')) <= RUN_NOTE_MAX_CHARS, {
    error: `a note has at most ${RUN_NOTE_MAX_CHARS} characters`,
  });
export const noteBody = z.strictObject({ note: noteText });

export const poolParams = z.object({ pool: idSchema });
const poolSlots = z
  .number({ error: 'must be a whole number from 0 to 1000000, or null for unlimited' })
  .int()
  .min(0)
  .max(1_000_000)
  .nullable();
const poolDescription = printable(500).transform((v) => v.trim());
/** PUT /api/pools/:pool: its slots (null: unlimited) and, optionally, its description. */
export const poolBody = z.strictObject({ slots: poolSlots, description: poolDescription.optional() });
/** PATCH /api/pools/:pool: what changes (at least one of them). */
export const poolPatchBody = z
  .strictObject({ slots: poolSlots.optional(), description: poolDescription.optional() })
  .refine((b) => b.slots !== undefined || b.description !== undefined, {
    error: 'give slots or description',
  });
/** The pools page's form: slots as typed (blank: unlimited). */
export const poolForm = z.object({
  slots: z
    .string()
    .trim()
    .regex(/^(\d{1,7}|unlimited|)$/i, { error: 'slots must be a whole number, or blank for unlimited' })
    .transform((v) => (v === '' || /^unlimited$/i.test(v) ? null : Number(v)))
    .pipe(poolSlots),
  description: poolDescription.optional(),
});
