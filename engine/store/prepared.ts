/**
 * Names for the statements every task instance runs (`knex.raw(…).options(PREPARED.x)`): pg then
 * prepares each once per pooled connection, and PostgreSQL stops parsing and planning it on every
 * call, which was about half of their server time.
 */
export const PREPARED = {
  claim_tries: { name: 'wareflow_claim_tries' },
  record_tries: { name: 'wareflow_record_tries' },
  read_runs: { name: 'wareflow_read_runs' },
  apply_transitions: { name: 'wareflow_apply_transitions' },
  append_task_logs: { name: 'wareflow_append_task_logs' },
} as const;
