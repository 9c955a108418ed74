/**
 * The audit policy (CONTRACT.md §10): which audited changes a person should look at. Pure: the
 * sidecar gives each new audit event its product's unit cost and its warehouse's zone.
 */
import type { Severity } from '../../alerts/index.js';
import type { AuditEvent } from '../contract.js';
import { localHour } from './workingTime.js';

/** The policy's limits (typed config: `AUDIT_ADJUSTMENT_VALUE_LIMIT`, `AUDIT_NIGHT_HOURS`). */
export interface AuditPolicy {
  /** A manual adjustment worth more than this (|quantity| × unit cost) breaks the policy. */
  adjustmentValueLimit: number;
  /** Local whole hours [from, to) of the night, wrapping midnight when from > to. */
  nightHours: { from: number; to: number };
}

/**
 * The policy's defaults — the defaults of AUDIT_ADJUSTMENT_VALUE_LIMIT and AUDIT_NIGHT_HOURS
 * (platform/config.ts; a spec keeps them equal) — which the generator keeps its ordinary traffic
 * inside and its injected breaches outside. 5,000: above any ordinary write-off of the catalogue
 * (two units of its dearest product, about 3,200), below the high-value rule (SPEC §7, 10,000).
 */
export const DEFAULT_AUDIT_POLICY: AuditPolicy = {
  adjustmentValueLimit: 5000,
  nightHours: { from: 22, to: 6 },
};

/** An adjustment worth this many times the limit is high severity (mailed). */
export const HIGH_ADJUSTMENT_FACTOR = 4;

export interface AuditBreach {
  reason: 'adjustment_value' | 'night_edit';
  severity: Severity;
  message: string;
  details: Record<string, unknown>;
}

/** Whether local hour `hour` is in the night `[from, to)`. */
export function isNight(hour: number, night: AuditPolicy['nightHours']): boolean {
  return night.from < night.to
    ? hour >= night.from && hour < night.to
    : hour >= night.from || hour < night.to;
}

const money = (x: number) => Math.round(x).toLocaleString('en-US');
const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;

/**
 * The breach of one audit event, or null. A MANUAL_ADJUSTMENT worth more than the limit (its
 * product's unit cost given); a MASTER_DATA_EDIT made at night in `timezone`, the local time of
 * the warehouse it concerns (UTC when it concerns none, such as a product's price).
 */
export function auditBreach(
  e: AuditEvent,
  context: { unitCost: number | null; timezone: string | null },
  policy: AuditPolicy,
): AuditBreach | null {
  const where = e.warehouseId ?? (e.entity === 'warehouse' ? e.entityId : null);
  if (e.eventType === 'MANUAL_ADJUSTMENT' && e.quantityChange !== null && context.unitCost !== null) {
    const value = Math.abs(e.quantityChange) * context.unitCost;
    if (value <= policy.adjustmentValueLimit) return null;
    const signed = e.quantityChange > 0 ? `+${e.quantityChange}` : String(e.quantityChange);
    return {
      reason: 'adjustment_value',
      severity: value >= HIGH_ADJUSTMENT_FACTOR * policy.adjustmentValueLimit ? 'high' : 'medium',
      message:
        `${e.actor} adjusted ${e.sku} at ${e.warehouseId} by ${signed} units, worth ${money(value)} ` +
        `(the limit is ${money(policy.adjustmentValueLimit)})${e.reasonCode ? `, reason ${e.reasonCode}` : ''}` +
        `${e.referenceId ? `, ref ${e.referenceId}` : ''}. Check the count behind it and who approved it.`,
      details: {
        reason: 'adjustment_value',
        eventId: e.eventId,
        actor: e.actor,
        quantityChange: e.quantityChange,
        value,
        limit: policy.adjustmentValueLimit,
        referenceId: e.referenceId,
        reasonCode: e.reasonCode,
        occurredAt: e.occurredAt.toISOString(),
      },
    };
  }
  if (e.eventType === 'MASTER_DATA_EDIT') {
    const zone = context.timezone ?? 'UTC';
    const hour = localHour(zone, e.occurredAt.getTime());
    if (!isNight(hour, policy.nightHours)) return null;
    const { from, to } = policy.nightHours;
    return {
      reason: 'night_edit',
      severity: 'medium',
      message:
        `${e.actor} changed ${e.field} of ${e.entity} ${e.entityId} from ${e.oldValue ?? '(none)'} to ` +
        `${e.newValue ?? '(none)'} at night (${hh(hour)}–${hh((hour + 1) % 24)} local time` +
        `${where ? ` at ${where}` : ' UTC'}; night is ${hh(from)}–${hh(to)}). Confirm the change was meant.`,
      details: {
        reason: 'night_edit',
        eventId: e.eventId,
        actor: e.actor,
        entity: e.entity,
        entityId: e.entityId,
        field: e.field,
        oldValue: e.oldValue,
        newValue: e.newValue,
        localHour: hour,
        timezone: zone,
        occurredAt: e.occurredAt.toISOString(),
      },
    };
  }
  return null;
}
