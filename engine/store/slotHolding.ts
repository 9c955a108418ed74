/**
 * The states whose task instances hold a slot of their pool and count toward their DAG's cap (see
 * engine/pools.ts), and the same as an SQL condition on `state` written so that PostgreSQL reads
 * them through the partial indexes of those states (`task_instances_waiting_idx`, `_running_idx`,
 * `_rescheduled_idx`) instead of scanning every task instance ever run.
 */
export const SLOT_HOLDING_STATES = ['queued', 'running', 'up_for_retry', 'up_for_reschedule'] as const;

/**
 * `holding('ti')`: the condition for table alias `ti` (no alias: the bare column). A mapped task's
 * parent row (`map_count` set) never holds a slot.
 */
export function holding(alias?: string): string {
  const column = (name: string) => (alias ? `${alias}.${name}` : name);
  const state = column('state');
  // A mapped task's parent row is `running` while its instances run, but holds nothing: they do.
  return `((${state} IN ('queued', 'up_for_retry') OR ${state} = 'running' OR ${state} = 'up_for_reschedule') AND ${column('map_count')} IS NULL)`;
}
