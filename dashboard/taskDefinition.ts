import type { ResolvedTask } from '../engine/index.js';

/**
 * A task as its DAG defines it, in the API's snake_case: what the task page shows beside the
 * instance (upstream, trigger rule, a sensor's pokes, a branch, depends on past).
 */
export function taskDefinition(t: ResolvedTask) {
  return {
    upstream: t.upstream,
    downstream: t.downstream,
    trigger_rule: t.triggerRule,
    retries: t.retries,
    pool: t.pool,
    depends_on_past: t.dependsOnPast,
    branch: t.branch,
    /** A mapped task: the upstream task whose list it runs over. */
    map_over: t.mapOver ?? null,
    sensor: t.sensor
      ? {
          interval_ms: t.sensor.intervalMs,
          timeout_ms: t.sensor.timeoutMs,
          exponential_backoff: t.sensor.exponentialBackoff,
          max_interval_ms: t.sensor.maxIntervalMs,
          on_timeout: t.sensor.onTimeout,
        }
      : null,
  };
}
