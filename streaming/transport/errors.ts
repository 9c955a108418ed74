import { WareflowError } from '../../platform/index.js';

/**
 * The group took the partition away (a rebalance, a new generation, this member fenced out) while
 * a batch of it was in hand. The batch is no longer this member's to finish: the handler stops and
 * returns it to the transport, which fetches again for whoever owns the partition now. Broker
 * adapters translate their client's errors into this one, so the pipeline never reads a client
 * library's error names.
 */
export class RebalanceError extends WareflowError {
  constructor(message: string, cause?: unknown) {
    // Not retriable by this member: retrying the same batch here would only fail again.
    super(message, { retriable: false, cause });
  }
}

/** Whether `err` says the batch in hand was taken away by the group (see `RebalanceError`). */
export function isRebalance(err: unknown): err is RebalanceError {
  return err instanceof RebalanceError;
}
