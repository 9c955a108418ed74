import type { Knex } from 'knex';

/**
 * Positional bindings for `knex.raw`. pg serialises JS arrays (nulls included) as PostgreSQL
 * arrays, which knex's binding type does not describe; this is the one place that says so.
 */
export function bind(...values: unknown[]): readonly Knex.RawBinding[] {
  return values as Knex.RawBinding[];
}
