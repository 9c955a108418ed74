/** Shared database plumbing: the migration runner and offset pagination of read queries. */
export { migrateLatest, migrateRollback, ensureDatabase, migratorConfig, MIGRATIONS_DIR } from './migrate.js';
export { fetchPage, type Page, type PageRequest } from './page.js';
