import { InvalidInputError } from '../platform/index.js';

/** Exit codes of the `wareflow` command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A bad argument: printed as one line, exit code 2. */
export class UsageError extends InvalidInputError {}
