import { WareflowError } from '../platform/index.js';
import type { TryOutcome } from './store/index.js';

/**
 * Outcomes of a try that are neither a success nor a failure, as classes a task throws (BullMQ's
 * `DelayedError`): the engine records them as their own outcome, writes no `raised` line, sends
 * no e-mail and uses up no retry.
 */
export abstract class TryOutcomeSignal extends WareflowError {
  abstract outcome(): TryOutcome;
}

/**
 * Thrown by a task to end as `skipped` (Airflow's `AirflowSkipException`): its downstream tasks
 * follow their trigger rules (`all_success` ones are skipped too, `none_failed` ones run).
 */
export class SkipTaskError extends TryOutcomeSignal {
  constructor(readonly reason: string) {
    super(`skipped: ${reason}`, { retriable: false });
  }

  outcome(): TryOutcome {
    return { kind: 'skipped', reason: this.reason };
  }
}

/**
 * Thrown by a sensor whose condition does not hold yet: the try ends without failing, the task
 * instance waits `up_for_reschedule` holding no worker slot, and the same try runs again at
 * `notBefore` (a delayed job). Its retries are not used up.
 */
export class RescheduleTaskError extends TryOutcomeSignal {
  constructor(
    readonly reason: string,
    readonly notBefore: Date,
  ) {
    super(`rescheduled: ${reason}`, { retriable: false });
  }

  outcome(): TryOutcome {
    return { kind: 'reschedule', reason: this.reason, notBefore: this.notBefore };
  }
}
