import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';

/** Where the numbered, append-only migrations live. */
export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export const migratorConfig: Knex.MigratorConfig = {
  directory: MIGRATIONS_DIR,
  loadExtensions: ['.ts', '.js'],
  tableName: 'knex_migrations',
  schemaName: 'public',
};

/** Applies every pending migration; a no-op when the database is up to date. */
export async function migrateLatest(knex: Knex): Promise<{ batch: number; applied: string[] }> {
  const [batch, applied] = (await knex.migrate.latest(migratorConfig)) as [number, string[]];
  return { batch, applied };
}

/** Reverts the last batch, or every migration with `all`. */
export async function migrateRollback(
  knex: Knex,
  all = false,
): Promise<{ batch: number; reverted: string[] }> {
  const [batch, reverted] = (await knex.migrate.rollback(migratorConfig, all)) as [number, string[]];
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
