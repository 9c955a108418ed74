/**
 * The warehouse database's shared plumbing: migrations split per owner (engine, inventory,
 * streaming), the runner that applies them, database creation, offset pagination of reads, and
 * `bind` for the positional parameters of raw statements.
 */
export { migrateLatest, migrateRollback, ensureDatabase } from './migrate.js';
export type { MigrateOptions, RollbackOptions } from './migrate.js';
export {
  MIGRATION_OWNERS,
  MIGRATIONS_DIR,
  migratorConfigFor,
  migratorConfigs,
  migrationsTableOf,
  type MigrationOwner,
} from './migrationOwners.js';
export { adoptLegacyMigrations } from './adoptLegacyMigrations.js';
export { fetchPage, type Page, type PageRequest } from './page.js';
export { bind } from './bind.js';
