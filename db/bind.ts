import type { Knex } from 'knex';

/**
 * Parameters of a raw statement. The pg driver sends JS arrays as PostgreSQL arrays (the
 * set-based statements unnest them); knex's binding types do not model that, hence one cast here.
 */
export function bind(...values: unknown[]): readonly Knex.RawBinding[] {
  return values as Knex.RawBinding[];
}
