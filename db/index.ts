/** The warehouse database: connection, migrations, and one module per query family. */
export { migrateLatest, migrateRollback, ensureDatabase, migratorConfig, MIGRATIONS_DIR } from './migrate.js';
