import type { Knex } from 'knex';
import { adoptLegacyMigrations } from './adoptLegacyMigrations.js';
import {
  lastBatchOf,
  migrationsTableOf,
  migratorConfigFor,
  ownersInOrder,
  type MigrationOwner,
} from './migrationOwners.js';

export interface MigrateOptions {
  /**
   * Whose migrations to apply or revert, e.g. `['engine']` to migrate the orchestrator alone.
   * @defaultValue every owner: engine, then inventory, then streaming
   */
  owners?: readonly MigrationOwner[];
}

export interface RollbackOptions extends MigrateOptions {
  /**
   * Revert every migration of the chosen owners instead of the last batch.
   * @defaultValue false
   */
  all?: boolean;
}

/** The last batch number over the given owners (each owner keeps its own table). */
async function lastBatch(knex: Knex, owners: readonly MigrationOwner[]): Promise<number> {
  let last = 0;
  for (const owner of owners) last = Math.max(last, await lastBatchOf(knex, owner));
  return last;
}

/**
 * Applies every pending migration, owner by owner (engine, inventory, streaming); a no-op when the
 * database is up to date. A database migrated before the split is adopted first (`adopted` lists
 * what was recorded, without running it). Names come back as `owner/file`.
 *
 * One call is one batch across owners: knex numbers batches per table, so the rows an owner just
 * applied are renumbered to the common batch, which is what lets `migrateRollback` revert exactly
 * what the last call applied. (A crash between an owner's migrations and the renumbering only
 * leaves that owner's batch with knex's own number; nothing is lost.)
 */
export async function migrateLatest(
  knex: Knex,
  options: MigrateOptions = {},
): Promise<{ batch: number; applied: string[]; adopted: string[] }> {
  const adopted = await adoptLegacyMigrations(knex);
  const batch = (await lastBatch(knex, ownersInOrder())) + 1;
  const applied: string[] = [];
  for (const owner of ownersInOrder(options.owners)) {
    const [ownerBatch, names] = (await knex.migrate.latest(migratorConfigFor(owner))) as [number, string[]];
    if (names.length === 0) continue;
    if (ownerBatch !== batch)
      await knex(`public.${migrationsTableOf(owner)}`)
        .where({ batch: ownerBatch })
        .update({ batch });
    applied.push(...names.map((name) => `${owner}/${name}`));
  }
  return { batch: applied.length > 0 ? batch : batch - 1, applied, adopted };
}

/**
 * Reverts the last batch (what the last `migrateLatest` applied, over every owner), or every
 * migration with `all`; owners are reverted in reverse order (streaming, inventory, engine).
 * `migrateRollback(knex, true)` is short for `{ all: true }`.
 */
export async function migrateRollback(
  knex: Knex,
  options: boolean | RollbackOptions = {},
): Promise<{ batch: number; reverted: string[] }> {
  const { all = false, owners } = typeof options === 'boolean' ? { all: options } : options;
  await adoptLegacyMigrations(knex);
  const chosen = ownersInOrder(owners).reverse();
  const batch = await lastBatch(knex, chosen);
  const reverted: string[] = [];
  for (const owner of chosen) {
    if (!all && (await lastBatchOf(knex, owner)) !== batch) continue;
    const [, names] = (await knex.migrate.rollback(migratorConfigFor(owner), all)) as [number, string[]];
    reverted.push(...names.map((name) => `${owner}/${name}`));
  }
  return { batch, reverted };
}

/** Creates the database named in the URL when it does not exist yet (connecting to `postgres`). */
export async function ensureDatabase(
  databaseUrl: string,
  createKnex: (url: string) => Knex,
): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) return false;
  url.pathname = '/postgres';
  const admin = createKnex(url.toString());
  try {
    const found = await admin.raw('SELECT 1 FROM pg_database WHERE datname = ?', [name]);
    if (found.rowCount > 0) return false;
    await admin.raw('CREATE DATABASE ??', [name]);
    return true;
  } catch (err) {
    // Another process created it between our check and our CREATE: that is what we wanted.
    if ((err as { code?: string }).code === '42P04') return false;
    throw err;
  } finally {
    await admin.destroy();
  }
}
