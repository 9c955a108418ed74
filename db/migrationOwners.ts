import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';

/**
 * Who owns a migration. Each owner keeps its numbered, append-only migrations in
 * `db/migrations/<owner>/` and its own knex bookkeeping table, so the engine can be migrated
 * (and shipped) without the inventory domain or the stream.
 * - `engine`: the orchestrator schema (dags, dag_runs, task_instances, task_logs, backfills).
 * - `inventory`: the `inventory` and `analytics` schemas, the DAGs' tables included.
 * - `streaming`: what only the sidecar owns (its consumer offsets, in the `streaming` schema).
 */
export type MigrationOwner = 'engine' | 'inventory' | 'streaming';

/**
 * Every owner, in the order their migrations are applied (and reverted in reverse). Later owners
 * may depend on earlier ones (the stream writes the inventory ledger); the engine depends on none.
 */
export const MIGRATION_OWNERS: readonly MigrationOwner[] = ['engine', 'inventory', 'streaming'];

/** Where the migrations of every owner live, one folder per owner. */
export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * The bookkeeping tables live in `public`, not in each owner's schema: an owner's first migration
 * creates its schema and its last `down` drops it with CASCADE, so a table inside it would not
 * exist when knex first looks for it and would vanish in the middle of a rollback.
 */
export function migrationsTableOf(owner: MigrationOwner): string {
  return `knex_migrations_${owner}`;
}

/** The knex migrator configuration of one owner (for `knex.migrate.*` and the knex CLI). */
export function migratorConfigFor(owner: MigrationOwner): Knex.MigratorConfig {
  return {
    directory: path.join(MIGRATIONS_DIR, owner),
    loadExtensions: ['.ts', '.js'],
    tableName: migrationsTableOf(owner),
    schemaName: 'public',
  };
}

/** Per-owner migrator configurations, e.g. `knex.migrate.latest(migratorConfigs.engine)`. */
export const migratorConfigs: Readonly<Record<MigrationOwner, Knex.MigratorConfig>> = {
  engine: migratorConfigFor('engine'),
  inventory: migratorConfigFor('inventory'),
  streaming: migratorConfigFor('streaming'),
};

/** The owners asked for, in application order; throws on a name that is not an owner. */
export function ownersInOrder(owners: readonly string[] = MIGRATION_OWNERS): MigrationOwner[] {
  for (const owner of owners)
    if (!(MIGRATION_OWNERS as readonly string[]).includes(owner))
      throw new Error(`unknown migration owner "${owner}"; expected one of ${MIGRATION_OWNERS.join(', ')}`);
  return MIGRATION_OWNERS.filter((owner) => owners.includes(owner));
}

/** Whether a table exists (`schema.table`); works inside or outside a transaction. */
export async function tableExists(knex: Knex, qualifiedName: string): Promise<boolean> {
  const { rows } = await knex.raw('SELECT to_regclass(?) IS NOT NULL AS found', [qualifiedName]);
  return rows[0].found === true;
}

/** The highest batch recorded by one owner, 0 when it has none (or no table yet). */
export async function lastBatchOf(knex: Knex, owner: MigrationOwner): Promise<number> {
  const table = `public.${migrationsTableOf(owner)}`;
  if (!(await tableExists(knex, table))) return 0;
  const row = await knex(table).max({ batch: 'batch' }).first();
  return Number(row?.batch ?? 0);
}
