/**
 * The one error hierarchy of wareflow. Every error we throw on purpose is a `WareflowError`; an
 * error from a library is wrapped with `coerceError` before it is stored or logged, so a stored
 * failure always has a non-empty message.
 */
export class WareflowError extends Error {
  /** Whether trying the same operation again may succeed (a dropped connection) or not (bad input). */
  readonly retriable: boolean;

  constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable ?? false;
  }
}

/** A configuration value is missing or malformed. The message names the variable. */
export class ConfigError extends WareflowError {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
  }
}

/** Input from a user (CLI argument, API body, DAG params) is not acceptable. Never retried. */
export class InvalidInputError extends WareflowError {}

/** A service we depend on (PostgreSQL, Redis, Kafka, SMTP) did not answer. Usually retriable. */
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

/** PostgreSQL SQLSTATEs worth retrying: serialization failure, deadlock, connection errors. */
const RETRIABLE_SQLSTATES = new Set(['40001', '40P01', '57P01', '57P02', '57P03', '08000', '08003', '08006']);
const RETRIABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** The one place that decides whether an error is worth retrying. */
export function isRetriable(err: unknown): boolean {
  if (err instanceof WareflowError) return err.retriable;
  if (err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError) return false;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return RETRIABLE_SQLSTATES.has(code) || RETRIABLE_NODE_CODES.has(code);
  const retriable = (err as { retriable?: unknown } | null)?.retriable; // kafkajs errors carry this
  return retriable === true;
}
