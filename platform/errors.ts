/**
 * The one error hierarchy of wareflow. Every error we throw on purpose is a `WareflowError`; an
 * error from a library is wrapped with `coerceError` before it is stored or logged, so a stored
 * failure always has a non-empty message. Whether an error is worth retrying is decided by
 * `isRetriable` alone.
 */
export class WareflowError extends Error {
  /**
   * Whether trying the same operation again may succeed (a dropped connection) or not (bad input).
   * The kinds that are permanent by nature (`InvalidInputError`, `ConfigError`,
   * `PermanentTaskError`) set it to false; pass `retriable: false` for any other error that
   * another try cannot fix.
   * @defaultValue true
   */
  readonly retriable: boolean;

  constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable ?? true;
  }
}

/** A configuration value is missing or malformed. The message names the variable. Never retried. */
export class ConfigError extends WareflowError {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`, { retriable: false });
  }
}

/** Input from a user (CLI argument, API body, DAG params) is not acceptable. Never retried. */
export class InvalidInputError extends WareflowError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retriable: false });
  }
}

/**
 * Thrown by a task to fail at once: the try is recorded as failed and no further try is made,
 * whatever retries the task has left (BullMQ's `UnrecoverableError`). Use it when the same input
 * can only fail again: data that must be fixed by hand, a precondition no retry can meet.
 */
export class PermanentTaskError extends WareflowError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retriable: false });
  }
}

/**
 * A well-formed request that the current state of its target does not allow, such as cancelling
 * a run that has already ended: nothing changed. Never retried (HTTP 409; the CLI exits 1).
 */
export class ConflictError extends WareflowError {
  constructor(message: string) {
    super(message, { retriable: false });
  }
}

/** A service we depend on (PostgreSQL, Redis, Kafka, SMTP) did not answer. Retriable. */
export class ServiceUnavailableError extends WareflowError {
  constructor(
    readonly service: string,
    message: string,
    cause?: unknown,
  ) {
    super(`${service}: ${message}`, { retriable: true, cause });
  }
}

/** Turns anything thrown into an Error with a non-empty message. */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) {
    if (!thrown.message) thrown.message = thrown.name || 'Error without a message';
    return thrown;
  }
  if (typeof thrown === 'string' && thrown.length > 0) return new Error(thrown);
  let text: string;
  try {
    text = JSON.stringify(thrown) ?? String(thrown);
  } catch {
    text = String(thrown);
  }
  return new Error(`Non-error thrown: ${text}`);
}

/**
 * The one decision whether an error is worth another try, used by the engine for a task's failed
 * try (while tries remain) and by the streaming sidecar. An error is retried unless it says that
 * another try cannot help:
 * - a `PermanentTaskError` (a task's explicit "do not retry");
 * - a `WareflowError` whose `retriable` is false: by kind `InvalidInputError` (with
 *   `DagDefinitionError` and the CLI's `UsageError`) and `ConfigError`, or any `WareflowError`
 *   constructed with `retriable: false`;
 * - any other error that carries `retriable: false` (kafkajs's non-retriable errors).
 *
 * Everything else is retried: a plain `WareflowError`, a `ServiceUnavailableError`, a timeout, and
 * any error we did not define (a plain `Error`, a `TypeError` — Node's `fetch` reports a refused
 * connection as one —, a driver error whatever its code), as Airflow does.
 */
export function isRetriable(err: unknown): boolean {
  if (err instanceof PermanentTaskError) return false;
  if (err instanceof WareflowError) return err.retriable;
  return (err as { retriable?: unknown } | null)?.retriable !== false;
}

/** SQLSTATEs of a statement that lost a race and may simply run again: deadlock, serialization failure. */
const TRANSACTION_CONFLICTS = new Set(['40001', '40P01']);

/**
 * Whether a PostgreSQL statement failed only because it collided with a concurrent one (deadlock,
 * serialization failure): the statement itself may run again at once, without counting a try.
 */
export function isTransactionConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TRANSACTION_CONFLICTS.has(code);
}
