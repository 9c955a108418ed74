import type { Knex } from 'knex';

/** Running tries whose worker has not sent a heartbeat for `staleMs`: their worker is gone. */
export async function findZombies(
  knex: Knex,
  staleMs: number,
  limit = 1000,
): Promise<
  Array<{
    runId: number;
    dagId: string;
    taskId: string;
    tryNumber: number;
    workerId: string | null;
    heartbeatAt: Date;
  }>
> {
  const { rows } = await knex.raw(
    `SELECT run_id, dag_id, task_id, try_number, worker_id, heartbeat_at FROM orchestrator.task_instances
      WHERE state = 'running' AND heartbeat_at < clock_timestamp() - make_interval(secs => ?)
      ORDER BY heartbeat_at LIMIT ?`,
    [staleMs / 1000, limit],
  );
  return rows.map(
    (r: {
      run_id: number;
      dag_id: string;
      task_id: string;
      try_number: number;
      worker_id: string | null;
      heartbeat_at: Date;
    }) => ({
      runId: r.run_id,
      dagId: r.dag_id,
      taskId: r.task_id,
      tryNumber: r.try_number,
      workerId: r.worker_id,
      heartbeatAt: r.heartbeat_at,
    }),
  );
}
