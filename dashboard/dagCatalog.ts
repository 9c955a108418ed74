import { z } from 'zod';
import { nextFireAfter, type Dag } from '../engine/index.js';
import type { DashboardEngine, RunRow } from './engine.js';
import { HttpError } from './errors.js';
import { scheduleInWords } from './views/cronText.js';

/** A parameter of a DAG as the trigger form shows it (from the params schema's JSON Schema). */
export interface ParamField {
  name: string;
  type: 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'json';
  required: boolean;
  default?: unknown;
  options?: string[];
  description?: string;
}

export interface DagSummary {
  dag_id: string;
  description: string | null;
  schedule: string | null;
  schedule_description: string;
  timezone: string;
  tags: string[];
  is_paused: boolean;
  /** When the scheduler will next create a run (the end of the interval now open). */
  next_run_at: Date | null;
  tasks: string[];
  params: ParamField[];
  recent_runs: Array<Pick<RunRow, 'id' | 'state' | 'run_type' | 'logical_date'>>;
}

/**
 * The DAGs of the registry the composition root passed in, joined with the engine's state
 * (paused, recent runs). The registry decides which DAGs exist: an id not in it is a bad request.
 */
export class DagCatalog {
  readonly byId: ReadonlyMap<string, Dag>;

  constructor(
    readonly dags: readonly Dag[],
    private readonly engine: DashboardEngine,
  ) {
    this.byId = new Map(dags.map((d) => [d.id, d]));
  }

  /** The DAG, or an HttpError: 404 for reads, 400 for mutations naming a DAG that is not there. */
  get(dagId: string, forMutation = false): Dag {
    const dag = this.byId.get(dagId);
    if (!dag) throw new HttpError(forMutation ? 400 : 404, `unknown DAG '${dagId}'`);
    return dag;
  }

  async summaries(recent = 10, now = new Date()): Promise<DagSummary[]> {
    const states = new Map((await this.engine.dagStates()).map((s) => [s.dag_id, s.is_paused]));
    return Promise.all(
      this.dags.map(async (dag) => {
        const runs = await this.engine.listRuns({ dagId: dag.id, limit: recent, offset: 0 });
        return this.summarize(dag, states.get(dag.id) ?? false, runs, now);
      }),
    );
  }

  async summary(dagId: string, recent = 10, now = new Date()): Promise<DagSummary> {
    const dag = this.get(dagId);
    const [states, runs] = await Promise.all([
      this.engine.dagStates(),
      this.engine.listRuns({ dagId, limit: recent, offset: 0 }),
    ]);
    const paused = states.find((s) => s.dag_id === dagId)?.is_paused ?? false;
    return this.summarize(dag, paused, runs, now);
  }

  private summarize(dag: Dag, paused: boolean, runs: RunRow[], now: Date): DagSummary {
    return {
      dag_id: dag.id,
      description: dag.description ?? null,
      schedule: dag.schedule,
      schedule_description: scheduleInWords(dag.schedule, dag.timezone),
      timezone: dag.timezone,
      tags: [...dag.tags],
      is_paused: paused,
      next_run_at: nextRunAt(dag, paused, now),
      tasks: dag.tasks.map((t) => t.id),
      params: paramFields(dag),
      recent_runs: runs.map((r) => ({
        id: r.id,
        state: r.state,
        run_type: r.run_type,
        logical_date: r.logical_date,
      })),
    };
  }
}

function nextRunAt(dag: Dag, paused: boolean, now: Date): Date | null {
  if (paused || dag.schedule === null) return null;
  const from = now < dag.startDate ? dag.startDate : now;
  const next = nextFireAfter({ schedule: dag.schedule, timezone: dag.timezone }, from);
  return dag.endDate && next > dag.endDate ? null : next;
}

interface JsonSchemaProperty {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  description?: string;
}

/** The DAG's params as form fields; a schema that is not a plain object gives no fields. */
export function paramFields(dag: Dag): ParamField[] {
  if (!dag.paramsSchema) return [];
  let schema: { properties?: Record<string, JsonSchemaProperty>; required?: string[] };
  try {
    schema = z.toJSONSchema(dag.paramsSchema, { io: 'input', unrepresentable: 'any' }) as typeof schema;
  } catch {
    return [];
  }
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, p]) => {
    const type: ParamField['type'] = p.enum
      ? 'enum'
      : p.type === 'string' || p.type === 'number' || p.type === 'integer' || p.type === 'boolean'
        ? p.type
        : 'json';
    return {
      name,
      type,
      // A field with a default may be left empty: the default applies.
      required: required.has(name) && p.default === undefined,
      ...(p.default !== undefined ? { default: p.default } : {}),
      ...(p.enum ? { options: p.enum.map(String) } : {}),
      ...(p.description ? { description: p.description } : {}),
    };
  });
}

/**
 * A trigger form's fields (`param.<name>`) turned into conf by each field's type. Empty fields are
 * left out so the DAG's defaults apply; the engine validates the result against the schema.
 */
export function confFromForm(fields: ParamField[], body: Record<string, unknown>): Record<string, unknown> {
  const conf: Record<string, unknown> = {};
  const rawJson = typeof body.conf === 'string' ? body.conf.trim() : '';
  for (const f of fields) {
    const value = body[`param.${f.name}`];
    if (typeof value !== 'string' || value.trim() === '') continue;
    const v = value.trim();
    switch (f.type) {
      case 'number':
      case 'integer': {
        const n = Number(v);
        conf[f.name] = Number.isFinite(n) ? n : v; // left as text, the schema reports it
        break;
      }
      case 'boolean':
        conf[f.name] = v === 'true';
        break;
      case 'json':
        conf[f.name] = parseJson(v, `param ${f.name}`);
        break;
      default:
        conf[f.name] = v;
    }
  }
  if (rawJson) {
    const extra = parseJson(rawJson, 'conf');
    if (typeof extra !== 'object' || extra === null || Array.isArray(extra))
      throw new HttpError(400, 'conf must be a JSON object');
    Object.assign(conf, extra);
  }
  return conf;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, `${what} is not valid JSON`);
  }
}
