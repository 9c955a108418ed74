import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number({ error: 'expected a port number' }).int().min(1).max(65535);
const positiveInt = z.coerce.number({ error: 'expected a whole number' }).int().positive();
const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { error: `expected a URL starting with ${protocols.map((p) => p + '//').join(' or ')}` },
  );
const emailList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.email({ error: 'expected comma-separated e-mail addresses' })));

/**
 * Every environment variable wareflow reads, with its default. This table is the single source
 * of truth: README's configuration section lists the same names.
 */
const schema = z.object({
  /** PostgreSQL warehouse and orchestrator state. @defaultValue postgres://postgres@127.0.0.1:5432/wareflow */
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/wareflow'),
  /** Redis for BullMQ queues and the metric cache. @defaultValue redis://127.0.0.1:6379 */
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  /** Comma-separated Kafka bootstrap brokers. @defaultValue 127.0.0.1:9092 */
  KAFKA_BROKERS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, { error: 'expected host:port[,host:port…]' })).min(1))
    .default(['127.0.0.1:9092']),
  /** Appended to every topic name, so tests and parallel environments never share topics. */
  KAFKA_TOPIC_SUFFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, { error: 'letters, digits, . _ - only' })
    .default(''),
  /** Kafka consumer group of the streaming sidecar. */
  KAFKA_GROUP_ID: z.string().min(1).default('wareflow-streaming'),
  /** Prefix of every BullMQ key in Redis. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, { error: 'letters, digits, _ - only' })
    .default('wareflow'),
  /** SMTP server for e-mail; unset writes .eml files under DATA_DIR/outbox. */
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  /** Sender of every e-mail. */
  EMAIL_FROM: z.email({ error: 'expected an e-mail address' }).default('wareflow@localhost'),
  /** Recipients of alert e-mails and digests. */
  ALERT_EMAIL_TO: emailList.default(['inventory-team@localhost']),
  /**
   * Downloaded Kafka jars, broker data, pid and log files of `wareflow services`; git-ignored.
   * @defaultValue `.cache` at the repository root
   */
  WAREFLOW_CACHE_DIR: z.string().min(1).optional(),
  /** Parquet archive, reports, outbox. @defaultValue ./data */
  DATA_DIR: z.string().min(1).default('./data'),
  /**
   * Where suppliers drop their stock files (`*.csv`) for the `supplier_stock_import` DAG; loaded
   * files move to `processed/` under it, unreadable ones to `rejected/`.
   * @defaultValue DATA_DIR/supplier-drop
   */
  SUPPLIER_DROP_DIR: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Events older than this many days go to the DLQ. @defaultValue 400 */
  MAX_EVENT_AGE_DAYS: positiveInt.default(400),
  /**
   * Months of the partitioned tables (ledger, anomalies, stream windows) kept in PostgreSQL before
   * the current one; older months are archived to Parquet and dropped by the `maintenance` DAG.
   * Never less than MAX_EVENT_AGE_DAYS covers: a month the stream still accepts events for stays.
   * @defaultValue 24
   */
  RETENTION_MONTHS: z.coerce.number({ error: 'expected a whole number' }).int().min(1).max(1200).default(24),
  /** How far behind the newest event time a window may still receive events. @defaultValue 120000 */
  ALLOWED_LATENESS_MS: z.coerce.number({ error: 'expected milliseconds' }).int().min(0).default(120_000),
  /**
   * An audited stock adjustment worth more than this (|quantity| × unit cost, currency units)
   * raises an AUDIT_POLICY alert (inventory/fulfilment/CONTRACT.md §10). @defaultValue 5000
   */
  AUDIT_ADJUSTMENT_VALUE_LIMIT: z.coerce
    .number({ error: 'expected a number' })
    .positive({ error: 'expected a positive number' })
    .default(5000),
  /**
   * The night, in each warehouse's local time, as `FROM-TO` whole hours (wrapping midnight): a
   * master-data edit in it raises an AUDIT_POLICY alert. @defaultValue 22-6
   */
  AUDIT_NIGHT_HOURS: z
    .string()
    .regex(/^\d{1,2}-\d{1,2}$/, { error: 'expected FROM-TO whole hours, e.g. 22-6' })
    .transform((v) => {
      const [from, to] = v.split('-').map(Number) as [number, number];
      return { from, to };
    })
    .refine((h) => h.from <= 23 && h.to <= 23 && h.from !== h.to, {
      error: 'expected two different hours from 0 to 23, e.g. 22-6',
    })
    .default({ from: 22, to: 6 }),
  /**
   * Address the scheduler's, worker's and sidecar's /health and /metrics bind: loopback unless said
   * otherwise (`0.0.0.0` for a Prometheus on another machine). @defaultValue 127.0.0.1
   */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Port of the streaming sidecar's /health and /metrics. @defaultValue 3001 */
  STREAMING_PORT: port.default(3001),
  /** Port of the worker's /metrics and /health. @defaultValue 3002 */
  WORKER_METRICS_PORT: port.default(3002),
  /** Port of the scheduler's /metrics and /health. @defaultValue 3003 */
  SCHEDULER_METRICS_PORT: port.default(3003),
  /** Task instances one worker process runs at once. @defaultValue 8 */
  WORKER_CONCURRENCY: positiveInt.default(8),
  /**
   * How long a process may take to stop after SIGTERM or SIGINT. Then it exits with code 3,
   * logging what it abandoned; the sweeps recover it. A worker hands running tries back at half
   * of it. @defaultValue 30000
   */
  SHUTDOWN_GRACE_MS: z.coerce.number({ error: 'expected milliseconds' }).int().min(100).default(30_000),
  /** Dashboard HTTP port. @defaultValue 3000 */
  DASHBOARD_PORT: port.default(3000),
  /** Address the dashboard binds: loopback unless said otherwise. @defaultValue 127.0.0.1 */
  DASHBOARD_HOST: z.string().min(1).default('127.0.0.1'),
  /** One operator's login name (with DASHBOARD_PASSWORD). */
  DASHBOARD_USER: z.string().min(1).optional(),
  DASHBOARD_PASSWORD: z.string().min(1).optional(),
  /**
   * Users of the dashboard, one `name:role:scrypt$…` line each (role `viewer` or `operator`),
   * written by `wareflow users add`. Re-read when it changes.
   */
  DASHBOARD_USERS_FILE: z.string().min(1).optional(),
  /** Bearer token of an operator (API clients). */
  DASHBOARD_TOKEN: z.string().min(16, { error: 'expected at least 16 characters' }).optional(),
  /** Serve the dashboard with every mutation disabled. @defaultValue false */
  DASHBOARD_READONLY: bool.default(false),
  /**
   * Let anyone who reaches the dashboard read its pages and `/api` without logging in; mutations
   * and Bull Board still need an operator. @defaultValue false
   */
  DASHBOARD_PUBLIC_READ: bool.default(false),
  /** When set, every process's `/metrics` answers only `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(16, { error: 'expected at least 16 characters' }).optional(),
});

export type Config = Readonly<
  Omit<z.output<typeof schema>, 'SUPPLIER_DROP_DIR'> & { SUPPLIER_DROP_DIR: string }
>;
export type ConfigInput = Partial<Record<keyof z.input<typeof schema>, string | undefined>>;

/**
 * Reads and validates the configuration once. Empty strings count as unset. Throws a
 * `ConfigError` naming the first bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv | ConfigInput = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key as keyof typeof env];
    if (typeof value === 'string' && value.trim() !== '') input[key] = value.trim();
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'configuration');
    const shown = input[variable] === undefined ? '' : ` (got ${JSON.stringify(redact(input[variable]))})`;
    throw new ConfigError(variable, `${issue.message}${shown}`);
  }
  const config = parsed.data;
  if ((config.DASHBOARD_USER === undefined) !== (config.DASHBOARD_PASSWORD === undefined)) {
    throw new ConfigError(
      config.DASHBOARD_USER === undefined ? 'DASHBOARD_USER' : 'DASHBOARD_PASSWORD',
      'DASHBOARD_USER and DASHBOARD_PASSWORD must be set together',
    );
  }
  const dataDir = path.resolve(config.DATA_DIR);
  return Object.freeze({
    ...config,
    DATA_DIR: dataDir,
    SUPPLIER_DROP_DIR: path.resolve(config.SUPPLIER_DROP_DIR ?? path.join(dataDir, 'supplier-drop')),
  });
}

/** Hides the password of a URL (or anything that looks like one) so it can be logged. */
export function redact(value: string): string {
  try {
    const u = new URL(value);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return value;
  }
}

/** Topic names, with the configured suffix (SPEC §3). */
export function topicNames(config: Pick<Config, 'KAFKA_TOPIC_SUFFIX'>) {
  const s = config.KAFKA_TOPIC_SUFFIX;
  return {
    events: `inventory-events${s}`,
    dlq: `inventory-events.dlq${s}`,
    alerts: `inventory-alerts${s}`,
    reorders: `reorder-events${s}`,
    analytics: `analytics-events${s}`,
    /** Order, shipment and audit streams (inventory/fulfilment/CONTRACT.md), each with its DLQ. */
    orders: `warehouse-orders${s}`,
    ordersDlq: `warehouse-orders.dlq${s}`,
    shipments: `warehouse-shipments${s}`,
    shipmentsDlq: `warehouse-shipments.dlq${s}`,
    audit: `warehouse-audit${s}`,
    auditDlq: `warehouse-audit.dlq${s}`,
  } as const;
}
export type TopicNames = ReturnType<typeof topicNames>;
