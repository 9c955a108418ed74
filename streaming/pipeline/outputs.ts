import type { ClosedWindow } from '../store/index.js';
import { eventKey } from '../../inventory/events/index.js';
import type { InboundMessage, OutboundMessage } from '../transport/index.js';
import type { DlqReason } from './validate.js';

/**
 * A dead-lettered message: the original key and bytes untouched, the reason in `x-dlq-reason`,
 * and where it came from, so it can be inspected and replayed.
 */
export function dlqMessage(
  message: InboundMessage,
  source: { topic: string; partition: number },
  reason: DlqReason,
  detail: string,
): OutboundMessage {
  return {
    key: message.key,
    value: message.value,
    headers: {
      'x-dlq-reason': reason,
      'x-dlq-detail': detail.slice(0, 500),
      'x-source-topic': source.topic,
      'x-source-partition': String(source.partition),
      'x-source-offset': message.offset,
    },
  };
}

/** A closed window as published on `analytics-events`. */
export function windowMessage(w: ClosedWindow): OutboundMessage {
  return {
    key: eventKey({ sku: w.sku, warehouseId: w.warehouseId }),
    value: JSON.stringify({
      type: 'WINDOW_CLOSED',
      windowKind: w.kind,
      windowStart: w.start.toISOString(),
      windowEnd: w.end.toISOString(),
      sku: w.sku,
      warehouseId: w.warehouseId,
      eventCount: w.eventCount,
      unitsIn: w.unitsIn,
      unitsOut: w.unitsOut,
      mean: w.mean,
      min: w.min,
      max: w.max,
      p50: w.p50,
      p95: w.p95,
      lateEvents: w.lateEvents,
    }),
  };
}
