import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Knex } from '../platform/index.js';
import { lastFailedRuns, stateCounts } from './store/index.js';
import type { TaskQueues } from './queues.js';

/** The engine's Prometheus metrics. Gauges of runs/tasks by state are read from PostgreSQL on scrape. */
export interface EngineMetrics {
  registry: Registry;
  taskDuration: Histogram<'dag_id' | 'task_id' | 'outcome'>;
  handoff: Histogram<'pool'>;
  schedulerLag: Histogram<'dag_id'>;
  tries: Counter<'dag_id' | 'outcome'>;
}

/**
 * Creates the metrics in `registry` (a new one by default). `knex` and `queues`, when given,
 * feed the runs/tasks-by-state and queue-depth gauges at scrape time.
 */
export function createEngineMetrics(
  options: { registry?: Registry; knex?: Knex; queues?: TaskQueues } = {},
): EngineMetrics {
  const registry = options.registry ?? new Registry();
  const { knex, queues } = options;
  // One query feeds both state gauges at a scrape; the second collect reuses the first's result.
  let pending: ReturnType<typeof stateCounts> | undefined;
  const counts = (k: Knex) => {
    pending ??= stateCounts(k).finally(() => setTimeout(() => (pending = undefined), 0));
    return pending;
  };
  new Gauge({
    name: 'wareflow_dag_runs',
    help: 'DAG runs by DAG and state (from the state store)',
    labelNames: ['dag_id', 'state'],
    registers: [registry],
    async collect() {
      if (!knex) return;
      this.reset();
      for (const r of (await counts(knex)).runs) this.set({ dag_id: r.dag_id, state: r.state }, r.n);
    },
  });
  new Gauge({
    name: 'wareflow_task_instances',
    help: 'Task instances by DAG and state (from the state store)',
    labelNames: ['dag_id', 'state'],
    registers: [registry],
    async collect() {
      if (!knex) return;
      this.reset();
      for (const r of (await counts(knex)).tasks) this.set({ dag_id: r.dag_id, state: r.state }, r.n);
    },
  });
  new Gauge({
    name: 'wareflow_dag_run_last_failed_timestamp_seconds',
    help: 'Per DAG, when its latest failed run ended (runs failed in the last 24 h; run_id names it)',
    labelNames: ['dag_id', 'run_id'],
    registers: [registry],
    async collect() {
      if (!knex) return;
      this.reset();
      for (const r of await lastFailedRuns(knex))
        this.set({ dag_id: r.dag_id, run_id: String(r.run_id) }, r.ended_at);
    },
  });
  new Gauge({
    name: 'wareflow_queue_depth',
    help: 'BullMQ jobs per pool queue and state',
    labelNames: ['pool', 'state'],
    registers: [registry],
    async collect() {
      if (!queues) return;
      this.reset();
      for (const [pool, c] of Object.entries(await queues.depths()))
        for (const [state, n] of Object.entries(c)) this.set({ pool, state }, n);
    },
  });
  return {
    registry,
    taskDuration: new Histogram({
      name: 'wareflow_task_duration_seconds',
      help: 'Duration of task tries',
      labelNames: ['dag_id', 'task_id', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
      registers: [registry],
    }),
    handoff: new Histogram({
      name: 'wareflow_task_handoff_seconds',
      help: 'From the end of the last upstream task to the start of its downstream task',
      labelNames: ['pool'],
      buckets: [0.002, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: [registry],
    }),
    schedulerLag: new Histogram({
      name: 'wareflow_scheduler_lag_seconds',
      help: 'now − data interval end when a scheduled run is created',
      labelNames: ['dag_id'],
      buckets: [0.1, 0.5, 1, 2, 5, 15, 60, 300, 3600],
      registers: [registry],
    }),
    tries: new Counter({
      name: 'wareflow_task_tries_total',
      help: 'Finished task tries by outcome',
      labelNames: ['dag_id', 'outcome'],
      registers: [registry],
    }),
  };
}

/** What the scheduler reports beyond the engine's metrics; only a process that runs one has them. */
export interface SchedulerMetrics {
  /** Set to the current time at the end of every scheduling pass that completed. */
  heartbeat: Gauge;
  slaMisses: Counter<'dag_id'>;
}

/** Registers the scheduler's metrics in `registry`, or returns those already there. */
export function createSchedulerMetrics(registry: Registry): SchedulerMetrics {
  const existing = (name: string) => registry.getSingleMetric(name);
  return {
    heartbeat:
      (existing('wareflow_scheduler_heartbeat_timestamp_seconds') as Gauge | undefined) ??
      new Gauge({
        name: 'wareflow_scheduler_heartbeat_timestamp_seconds',
        help: 'When the scheduler last completed a scheduling pass (Unix seconds)',
        registers: [registry],
      }),
    slaMisses:
      (existing('wareflow_sla_misses_total') as Counter<'dag_id'> | undefined) ??
      new Counter({
        name: 'wareflow_sla_misses_total',
        help: 'Scheduled runs that missed their DAG SLA, counted once per run when the scheduler finds it',
        labelNames: ['dag_id'],
        registers: [registry],
      }),
  };
}
