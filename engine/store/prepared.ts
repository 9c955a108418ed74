import type { Knex } from 'knex';

/**
 * Names for the statements every task instance runs: pg prepares each once per pooled
 * connection, and PostgreSQL stops parsing and planning it on every call, which was about half
 * of their server time.
 */
export const PREPARED = {
  claim_tries: { name: 'wareflow_claim_tries' },
  record_tries: { name: 'wareflow_record_tries' },
  read_runs: { name: 'wareflow_read_runs' },
  apply_transitions: { name: 'wareflow_apply_transitions' },
  append_task_logs: { name: 'wareflow_append_task_logs' },
} as const;

/** A statement every task instance runs: its name, and its text with `?` and with `$n` bindings. */
export interface PreparedStatement {
  name: string;
  /** As knex takes it (`?` bindings): how it runs inside a transaction. */
  sql: string;
  /** As PostgreSQL takes it (`$1`, `$2`, …), worked out once. */
  text: string;
  params: number;
}

/** A named statement; `sql` binds values with `?` (and holds no other question mark). */
export function preparedStatement(named: { name: string }, sql: string): PreparedStatement {
  let params = 0;
  const text = sql.replace(/\?/g, () => `$${(params += 1)}`);
  return { name: named.name, sql, text, params };
}

interface PooledClient {
  acquireConnection(): Promise<{ query(config: object): Promise<QueryResult> }>;
  releaseConnection(connection: unknown): Promise<unknown>;
}

interface QueryResult {
  rows: never[];
  rowCount: number | null;
}

/**
 * Runs a prepared statement on a connection of knex's pool, straight through pg: knex would
 * rebuild the statement (bindings cloned, `?` numbered over its whole text) on every call, which
 * cost the worker about a tenth of its CPU per task. Inside a transaction it goes through knex,
 * on the transaction's connection.
 */
export async function runPrepared<Row>(
  db: Knex | Knex.Transaction,
  statement: PreparedStatement,
  values: unknown[],
): Promise<{ rows: Row[]; rowCount: number | null }> {
  if (values.length !== statement.params)
    throw new Error(`${statement.name}: ${values.length} values for ${statement.params} parameters`);
  if ((db as Knex.Transaction).isTransaction)
    return db.raw(statement.sql, values as Knex.RawBinding[]).options({ name: statement.name });
  const pool = db.client as PooledClient;
  const connection = await pool.acquireConnection();
  try {
    return await connection.query({ name: statement.name, text: statement.text, values });
  } finally {
    await pool.releaseConnection(connection);
  }
}
