import { AUDIT_OUTCOMES, AUDIT_SOURCES, RUN_STATES, TASK_STATES, WAIT_KINDS } from '../../engine/index.js';
import { FULFILMENT_SCHEMAS } from './fulfilmentSchemas.js';

/** The component schemas of the OpenAPI document: the bodies the API answers with. */

const time = { type: 'string', format: 'date-time' };
const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const run = {
  type: 'object',
  required: ['id', 'dag_id', 'run_type', 'logical_date', 'state'],
  properties: {
    id: { type: 'integer' },
    dag_id: { type: 'string' },
    run_type: { type: 'string', enum: ['scheduled', 'manual', 'backfill'] },
    logical_date: time,
    data_interval_start: time,
    data_interval_end: time,
    state: { type: 'string', enum: [...RUN_STATES] },
    conf: { type: 'object' },
    backfill_id: nullable({ type: 'integer' }),
    created_at: time,
    started_at: time,
    ended_at: nullable(time),
    note: { ...nullable({ type: 'string', maxLength: 4000 }), description: "The run's note, plain text" },
    task_instances: { type: 'array', items: ref('TaskInstance') },
  },
};

const integer = (description: string) => ({ type: 'integer', description });

/** Why a task instance waits (engine/whyWaiting.ts): its kind, one sentence, and the numbers. */
const WAITING = {
  type: 'object',
  required: ['kind', 'reason', 'message'],
  properties: {
    kind: { type: 'string', enum: [...WAIT_KINDS], description: 'the first reason that holds it back' },
    reason: {
      type: 'string',
      enum: [...WAIT_KINDS],
      description: 'the same as kind (the name it had first)',
      deprecated: true,
    },
    message: {
      type: 'string',
      description: 'every reason that holds it back, in one sentence',
      examples: ['pool full (pool etl: 4/4 slots); DAG cap (8/8 active)'],
    },
    trigger_rule: { type: 'string', description: 'upstream: the rule that is not met yet' },
    pending: {
      type: 'array',
      description: 'upstream: the upstream tasks that have not ended',
      items: {
        type: 'object',
        required: ['task_id', 'state'],
        properties: { task_id: { type: 'string' }, state: { type: 'string', enum: [...TASK_STATES] } },
      },
    },
    past_run_id: integer('depends_on_past: the previous run, whose task has not succeeded'),
    past_task_id: { type: 'string', description: 'depends_on_past: that task' },
    past_state: { type: 'string', enum: [...TASK_STATES], description: "depends_on_past: that task's state" },
    pool: { type: 'string', description: 'a slot wait, worker: its pool' },
    slots: {
      ...nullable({ type: 'integer' }),
      description: "a slot wait: the pool's slots (null: unlimited)",
    },
    used: integer('a slot wait: slots held in the pool now'),
    needs: integer('a slot wait: slots one try of the task holds'),
    dag_cap: { ...nullable({ type: 'integer' }), description: "a slot wait: the DAG's cap (null: none)" },
    dag_active: integer("a slot wait: the DAG's active task instances now"),
    ahead: integer('a slot wait: instances of the pool granted before it'),
    next_try_at: { ...time, description: 'retry_backoff: when the next try may start' },
    try_number: integer('retry_backoff: the try that waits'),
    max_tries: integer('retry_backoff: the tries it has in all'),
    pokes: integer('sensor_reschedule: pokes since it was last cleared'),
    next_poke_at: { ...nullable(time), description: 'sensor_reschedule: the next poke' },
  },
};

export const COMPONENT_SCHEMAS: Record<string, unknown> = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: { error: { type: 'string', description: 'what went wrong, in one sentence' } },
  },
  Dag: {
    type: 'object',
    required: ['dag_id'],
    properties: {
      dag_id: { type: 'string' },
      is_paused: { type: 'boolean' },
      schedule: nullable({ type: 'string' }),
      tasks: { type: 'array', items: { type: 'object' } },
      recent_runs: { type: 'array', items: { type: 'object' } },
    },
  },
  DagList: {
    type: 'object',
    required: ['dags', 'total'],
    properties: { dags: { type: 'array', items: ref('Dag') }, total: { type: 'integer' } },
  },
  Run: run,
  RunList: {
    type: 'object',
    required: ['runs', 'limit', 'offset'],
    properties: {
      dag_id: { type: 'string' },
      runs: { type: 'array', items: ref('Run') },
      limit: { type: 'integer' },
      offset: { type: 'integer' },
    },
  },
  TaskInstance: {
    type: 'object',
    required: ['run_id', 'task_id', 'state'],
    properties: {
      run_id: { type: 'integer' },
      task_id: { type: 'string' },
      dag_id: { type: 'string' },
      state: { type: 'string', enum: [...TASK_STATES] },
      try_number: { type: 'integer' },
      max_tries: { type: 'integer' },
      pool: { type: 'string' },
      pool_slots: { type: 'integer', description: 'slots of its pool one try holds' },
      priority_weight: { type: 'integer', description: 'its weight after its weight rule' },
      output: {},
      error: nullable({ type: 'string' }),
      scheduled_at: nullable(time),
      queued_at: nullable(time),
      started_at: nullable(time),
      ended_at: nullable(time),
      next_try_at: {
        ...nullable(time),
        description: 'the next try (up_for_retry) or the next poke of a sensor (up_for_reschedule)',
      },
      first_poke_at: { ...nullable(time), description: "a sensor's first poke since it was last cleared" },
      pokes: { type: 'integer', description: 'pokes a sensor has made since it was last cleared' },
      followed: {
        ...nullable({ type: 'array', items: { type: 'string' } }),
        description: 'the direct downstream tasks a branch task chose (the others are skipped)',
      },
      definition: {
        ...nullable({ type: 'object' }),
        description:
          'the task as its DAG defines it (GET of one task instance): upstream, downstream, trigger_rule, ' +
          'retries, pool, depends_on_past, branch, map_over (a mapped task, for its instances too), sensor ' +
          '(interval_ms, timeout_ms, exponential_backoff, max_interval_ms, on_timeout) or null',
      },
      waiting_reason: {
        ...nullable({ type: 'string' }),
        description: 'why it waits, in one sentence (`waiting.message`); null when it is not waiting',
        examples: ['pool full (pool etl: 4/4 slots)'],
      },
      map_parent: nullable({ type: 'string', description: "a mapped task's instance: that task's id" }),
      map_index: nullable({ type: 'integer', description: "a mapped task's instance: its item's index" }),
      map_count: nullable({ type: 'integer', description: 'a mapped task: instances of its expansion' }),
      waiting: {
        ...nullable(ref('Waiting')),
        description: 'why it is not running yet; null when it runs, has ended, or its run has ended',
      },
    },
  },
  Waiting: WAITING,
  MappedInstances: {
    type: 'object',
    required: ['dag_id', 'run_id', 'task_id', 'map_over', 'state', 'map_count', 'counts', 'instances'],
    properties: {
      dag_id: { type: 'string' },
      run_id: { type: 'integer' },
      task_id: { type: 'string' },
      map_over: { type: 'string', description: 'the upstream task whose list it runs over' },
      state: { type: 'string', enum: [...TASK_STATES] },
      map_count: nullable({ type: 'integer', description: 'null until the task is expanded' }),
      counts: {
        type: 'object',
        additionalProperties: { type: 'integer' },
        description: 'instances per state',
      },
      instances: { type: 'array', items: ref('TaskInstance') },
    },
  },
  Pool: {
    type: 'object',
    required: ['name', 'slots', 'occupied_slots', 'running', 'queued', 'scheduled'],
    properties: {
      name: { type: 'string' },
      slots: { ...nullable({ type: 'integer', minimum: 0 }), description: 'null: unlimited' },
      description: nullable({ type: 'string' }),
      occupied_slots: { type: 'integer', description: 'slots held by queued, running and retrying tasks' },
      running: { type: 'integer' },
      queued: { type: 'integer', description: 'queued or up for retry: holding a slot' },
      scheduled: { type: 'integer', description: 'waiting for a slot' },
      updated_at: nullable(time),
      updated_by: nullable({ type: 'string' }),
      previous: { ...nullable({ type: 'integer' }), description: 'after a change: the slots before' },
      granted: { type: 'integer', description: 'after a change: task instances granted a slot at once' },
    },
  },
  PoolList: {
    type: 'object',
    required: ['pools'],
    properties: { pools: { type: 'array', items: ref('Pool') } },
  },
  Backfill: {
    type: 'object',
    required: ['id', 'dag_id', 'state'],
    properties: {
      id: { type: 'integer' },
      dag_id: { type: 'string' },
      from_date: time,
      to_date: time,
      concurrency: { type: 'integer' },
      state: { type: 'string', enum: ['running', 'success', 'failed', 'cancelled'] },
      total: { type: 'integer' },
      progress: {
        type: 'object',
        properties: {
          success: { type: 'integer' },
          failed: { type: 'integer' },
          running: { type: 'integer' },
        },
      },
    },
  },
  BackfillList: {
    type: 'object',
    required: ['backfills'],
    properties: { backfills: { type: 'array', items: ref('Backfill') } },
  },
  Page: {
    type: 'object',
    required: ['items', 'total', 'limit', 'offset'],
    properties: {
      items: { type: 'array', items: { type: 'object' } },
      total: { type: 'integer', description: 'entries matching the filters, over every page' },
      limit: { type: 'integer' },
      offset: { type: 'integer' },
    },
  },
  RunNote: {
    type: 'object',
    required: ['dag_id', 'run_id', 'note'],
    properties: {
      dag_id: { type: 'string' },
      run_id: { type: 'integer' },
      note: nullable({ type: 'string', maxLength: 4000 }),
      updated_by: nullable({ type: 'string' }),
      updated_at: nullable(time),
    },
  },
  AuditEntry: {
    type: 'object',
    required: ['id', 'at', 'actor', 'source', 'action', 'outcome'],
    properties: {
      id: { type: 'integer' },
      at: time,
      actor: { type: 'string', description: 'a user, token:DASHBOARD_TOKEN, or cli:<os user>' },
      source: { type: 'string', enum: [...AUDIT_SOURCES] },
      action: { type: 'string', examples: ['run.trigger', 'run.clear', 'task.mark', 'dag.pause'] },
      dag_id: nullable({ type: 'string' }),
      run_id: nullable({ type: 'integer' }),
      task_id: nullable({ type: 'string' }),
      detail: { type: 'object' },
      outcome: { type: 'string', enum: [...AUDIT_OUTCOMES] },
    },
  },
  AuditPage: {
    type: 'object',
    required: ['items', 'total', 'limit', 'offset'],
    properties: {
      items: { type: 'array', items: ref('AuditEntry') },
      total: { type: 'integer' },
      limit: { type: 'integer' },
      offset: { type: 'integer' },
    },
  },
  ...FULFILMENT_SCHEMAS,
};
