import type { InboundMessage, OutboundMessage } from '../transport/index.js';
import type { MasterData } from './enrich.js';
import { dlqMessage } from './outputs.js';
import type { PairState } from './pairState.js';
import { validateMessage, type DlqReason, type NormalisedEvent } from './validate.js';

/** A message that passed admission, with its event and (once loaded) its pair's detector state. */
export interface Accepted {
  message: InboundMessage;
  event: NormalisedEvent;
  /** The pair's detector state, once loaded (`loadPairs`). */
  pair: PairState | undefined;
}

/** The dead letters of one chunk: the DLQ messages, and their reasons for the metrics. */
export class Rejections {
  readonly messages: OutboundMessage[] = [];
  readonly reasons: DlqReason[] = [];

  constructor(private readonly source: { topic: string; partition: number }) {}

  add(message: InboundMessage, reason: DlqReason, detail: string): void {
    this.messages.push(dlqMessage(message, this.source, reason, detail));
    this.reasons.push(reason);
  }
}

/**
 * Stage 1, admit: the contract rules that need no master data, then the master-data cache. Known
 * ids are swapped for the cache's own strings: every later lookup then finds their hashes
 * computed, and the message's copies die young instead of living as long as the chunk.
 * `unknownIds` says whether some SKU or warehouse is not in the cache (yet): then ask PostgreSQL
 * (`MasterData.resolveMissing`) and call `rejectUnknown`.
 */
export function admit(
  messages: readonly InboundMessage[],
  master: MasterData,
  limits: { now: number; maxEventAgeDays: number },
  rejects: Rejections,
): { accepted: Accepted[]; unknownIds: boolean } {
  const accepted: Accepted[] = [];
  let unknownIds = false;
  for (const message of messages) {
    const v = validateMessage(message.value, limits);
    if (!v.ok) {
      rejects.add(message, v.reason, v.detail);
      continue;
    }
    const e = v.event;
    const product = master.product(e.sku);
    const warehouse = master.warehouse(e.warehouseId);
    if (product) e.sku = product.sku;
    if (warehouse) e.warehouseId = warehouse.warehouseId;
    if (!product || !warehouse) unknownIds = true;
    accepted.push({ message, event: e, pair: undefined });
  }
  return { accepted, unknownIds };
}

/** Stage 1, admit (cont.): dead-letters events whose SKU or warehouse the master data lacks. */
export function rejectUnknown(accepted: Accepted[], master: MasterData, rejects: Rejections): Accepted[] {
  return accepted.filter((a) => {
    if (!master.product(a.event.sku)) rejects.add(a.message, 'unknown_sku', `unknown SKU ${a.event.sku}`);
    else if (!master.warehouse(a.event.warehouseId)) {
      rejects.add(a.message, 'unknown_warehouse', `unknown warehouse ${a.event.warehouseId}`);
    } else return true;
    return false;
  });
}
