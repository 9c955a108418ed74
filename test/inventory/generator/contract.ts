import { EVENT_TYPES, hasValidSign, type InventoryEvent } from '../../../inventory/events/index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Contract problems of one event, as text (empty when it is fine). */
export function contractProblems(e: InventoryEvent, skus: Set<string>, warehouses: Set<string>): string[] {
  const problems: string[] = [];
  const keys = Object.keys(e).sort();
  const allowed = [
    'eventId',
    'eventType',
    'notes',
    'quantityChange',
    'referenceId',
    'sku',
    'timestamp',
    'warehouseId',
  ];
  if (keys.some((k) => !allowed.includes(k))) problems.push(`unexpected fields ${keys.join(',')}`);
  if (!UUID.test(e.eventId)) problems.push('eventId');
  if (!EVENT_TYPES.includes(e.eventType)) problems.push('eventType');
  if (!hasValidSign(e.eventType, e.quantityChange) || Math.abs(e.quantityChange) > 1_000_000)
    problems.push('sign');
  if (!skus.has(e.sku) || !warehouses.has(e.warehouseId)) problems.push('unknown sku or warehouse');
  if (
    typeof e.timestamp !== 'string' ||
    !/T.*(Z|[+-]\d{2}:\d{2})$/.test(e.timestamp) ||
    Number.isNaN(Date.parse(e.timestamp))
  )
    problems.push('timestamp');
  if (e.referenceId !== undefined && typeof e.referenceId !== 'string') problems.push('referenceId');
  if (e.notes !== undefined && typeof e.notes !== 'string') problems.push('notes');
  return problems;
}
