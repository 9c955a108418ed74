import { type Logger, type Mailer } from '../../platform/index.js';
import {
  ALERT_SOURCES,
  dedupKey as alertDedupKey,
  isMailed,
  type NewAlert as AlertRow,
  type StreamAlertType,
} from '../../inventory/alerts/index.js';
import type { AlertNews } from './incidents.js';

export { STOCKOUT_ALERT } from '../../inventory/alerts/index.js';

/** Where streaming alerts come from (`analytics.alerts.source`). */
export const ALERT_SOURCE = ALERT_SOURCES.streaming;

/** The dedup key of a stream alert: inventory/alerts' `dedupKey` for the `streaming` source. */
export function dedupKey(alertType: StreamAlertType, sku: string, warehouseId: string): string {
  return alertDedupKey({ source: ALERT_SOURCE, alertType, sku, warehouseId });
}

/**
 * The key of an alert on `inventory-alerts`: its subject (an order id, a shipment id,
 * `entity:entity_id`), else its pair `sku:warehouseId` (SPEC §3's key).
 */
export function alertKey(row: AlertRow): string {
  return row.subject?.id ?? `${row.sku ?? ''}:${row.warehouseId ?? ''}`;
}

/** Where an alert is, for a line of an e-mail: `sku @ warehouse`, or its subject. */
function place(a: AlertRow): string {
  if (a.subject) return `${a.subject.type} ${a.subject.id}${a.warehouseId ? ` @ ${a.warehouseId}` : ''}`;
  return `${a.sku} @ ${a.warehouseId}`;
}

/**
 * The JSON published on `inventory-alerts` for an alert that opened or escalated (`change`).
 * `alertId` is the incident's, derived from what opened it, so a repeat of the message (a retried
 * chunk) carries the same id, and an escalation names the alert it raises.
 */
export function alertMessage(news: AlertNews, createdAt: Date): Record<string, unknown> {
  const row = news.row;
  return {
    alertId: row.alertId,
    change: news.change,
    alertType: row.alertType,
    severity: row.severity,
    source: row.source,
    sku: row.sku,
    warehouseId: row.warehouseId,
    ...(row.subject ? { subjectType: row.subject.type, subjectId: row.subject.id } : {}),
    message: row.message,
    details: row.details,
    createdAt: createdAt.toISOString(),
  };
}

export interface AlertMailerOptions {
  /** Least time between two alert e-mails; alerts in between are sent together. @defaultValue 60000 */
  minIntervalMs?: number;
  /** Alerts listed in one e-mail; the rest are counted. @defaultValue 50 */
  maxListed?: number;
}

/**
 * E-mails high and critical alerts — the stream pushes only openings and escalations, so a
 * repeat or a resolution never mails — rate-limited: the first alert goes out at once, later ones
 * are gathered into one digest per interval. Sending happens off the ingestion path; a failed
 * send is logged and the alerts stay in `analytics.alerts`.
 */
export class AlertMailer {
  private pending: AlertRow[] = [];
  private lastSent = 0;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();
  sent = 0;

  constructor(
    private readonly mailer: Mailer,
    private readonly logger: Logger,
    private readonly options: AlertMailerOptions = {},
  ) {}

  push(alerts: readonly AlertRow[]): void {
    const urgent = alerts.filter((a) => isMailed(a.severity));
    if (urgent.length === 0) return;
    this.pending.push(...urgent);
    const wait = this.lastSent + (this.options.minIntervalMs ?? 60_000) - Date.now();
    if (wait <= 0) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), wait);
      this.timer.unref();
    }
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.lastSent = Date.now();
    const max = this.options.maxListed ?? 50;
    const worst = batch.some((a) => a.severity === 'critical') ? 'CRITICAL' : 'HIGH';
    const lines = batch.slice(0, max).map((a) => `[${a.severity}] ${a.alertType} ${place(a)}: ${a.message}`);
    if (batch.length > max) lines.push(`… and ${batch.length - max} more (see analytics.alerts)`);
    const subject =
      batch.length === 1
        ? `[wareflow ${worst}] ${batch[0]!.message}`
        : `[wareflow ${worst}] ${batch.length} inventory alerts`;
    this.sending = this.sending
      .then(() => this.mailer.send({ subject, text: lines.join('\n') + '\n' }))
      .then(() => {
        this.sent++;
      })
      .catch((err: unknown) => this.logger.error({ err, alerts: batch.length }, 'alert e-mail failed'));
  }

  /** Sends what is pending now and waits for it. */
  async close(): Promise<void> {
    this.flush();
    await this.sending;
  }
}
