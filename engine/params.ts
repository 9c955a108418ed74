import { InvalidInputError } from '../platform/index.js';
import type { Dag } from './dag.js';

/** Validates a trigger's conf against the DAG's params schema; returns the parsed params (defaults applied). */
export function validateParams(dag: Dag, conf: unknown): Record<string, unknown> {
  if (conf === null || typeof conf !== 'object' || Array.isArray(conf)) {
    throw new InvalidInputError(`DAG '${dag.id}': conf must be a JSON object`);
  }
  if (!dag.paramsSchema) return conf as Record<string, unknown>;
  const parsed = dag.paramsSchema.safeParse(conf);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new InvalidInputError(`DAG '${dag.id}': invalid params: ${problems}`);
  }
  return parsed.data as Record<string, unknown>;
}
