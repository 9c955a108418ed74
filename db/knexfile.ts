// For the knex CLI: `npm run knex -- migrate:rollback`. wareflow itself uses `wareflow db migrate`.
import { loadConfig } from '../platform/index.js';
import { migratorConfig } from './migrate.js';

const config = loadConfig();

export default {
  client: 'pg',
  connection: config.DATABASE_URL,
  migrations: migratorConfig,
};
