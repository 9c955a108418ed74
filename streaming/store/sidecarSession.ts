/**
 * Settings of every connection the streaming sidecar holds, run once when the pool opens it
 * (`createKnex(url, { onConnect: SIDECAR_SESSION_SQL })`). Every write on these connections is a
 * chunk transaction, and both settings hold for all of them:
 *
 * - No fsync wait at commit: offsets live in the same transaction as the rows, so if PostgreSQL
 *   itself crashes and loses the last commits, it loses their offsets with them and the partition
 *   is simply consumed again from the older offset. Effectively-once holds; only the
 *   at-least-once output topics may see a repeat.
 * - No per-row foreign-key triggers (`session_replication_role = replica`, as the generator's bulk
 *   load does) when the role is a superuser: `applyEvents` makes the same check once per
 *   referenced product and warehouse, with the same KEY SHARE locks, and every other row of the
 *   chunk refers to a pair the ledger rows just proved. This was a third of the ledger insert.
 *   Any other role keeps the triggers and simply checks twice.
 *
 * Per connection, not per transaction: a change of `session_replication_role` empties the
 * session's plan cache, so setting it at each chunk's start (and its reset at each end) made
 * PostgreSQL plan every prepared statement again for every chunk.
 */
export const SIDECAR_SESSION_SQL = `SELECT set_config('synchronous_commit', 'off', false),
       CASE WHEN rolsuper THEN set_config('session_replication_role', 'replica', false) END
  FROM pg_roles WHERE rolname = current_user`;
