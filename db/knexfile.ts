// For the knex CLI, one environment per migration owner:
//   npm run knex -- migrate:status --env inventory
//   npm run knex -- migrate:rollback --env streaming
// Without --env (or with a NODE_ENV that names no owner) it acts on the engine's migrations.
// `wareflow db migrate` / `db rollback` are the supported way to apply and revert: they run every
// owner in order (engine, inventory, streaming; reverse to revert), share one batch across
// owners, and adopt a database migrated before the split; the knex CLI does none of that.
import { loadConfig } from '../platform/index.js';
import { MIGRATION_OWNERS, migratorConfigFor, type MigrationOwner } from './migrationOwners.js';

const config = loadConfig();

const environmentOf = (owner: MigrationOwner) => ({
  client: 'pg',
  connection: config.DATABASE_URL,
  migrations: migratorConfigFor(owner),
});

export default {
  ...environmentOf('engine'),
  ...Object.fromEntries(MIGRATION_OWNERS.map((owner) => [owner, environmentOf(owner)])),
};
