import { Option, type Command } from 'commander';
import { createKnex, loadConfig, redact } from '../../platform/index.js';
import {
  MIGRATION_OWNERS,
  ensureDatabase,
  migrateLatest,
  migrateRollback,
  type MigrationOwner,
} from '../../db/index.js';

/** `--owner engine` migrates or reverts one owner's migrations only (repeatable); default: all. */
const ownerOption = () =>
  new Option('--owner <owner...>', 'only these owners’ migrations (default: all, in order)').choices(
    MIGRATION_OWNERS,
  );

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('warehouse database: migrations');

  db.command('migrate')
    .description('create the database if needed and apply every pending migration (safe to run twice)')
    .option('--json', 'print one JSON document')
    .addOption(ownerOption())
    .action(async (opts: { json?: boolean; owner?: MigrationOwner[] }) => {
      const config = loadConfig();
      const created = await ensureDatabase(config.DATABASE_URL, (url) => createKnex(url, { poolMax: 1 }));
      const knex = createKnex(config.DATABASE_URL, { poolMax: 2 });
      try {
        const { applied, adopted } = await migrateLatest(knex, { owners: opts.owner });
        const database = redact(config.DATABASE_URL);
        if (opts.json)
          console.log(JSON.stringify({ database, created, applied, ...(adopted.length ? { adopted } : {}) }));
        else {
          if (adopted.length > 0)
            console.log(`${database}: recorded ${adopted.length} earlier migrations under their owners`);
          if (applied.length === 0) console.log(`${database}: already up to date`);
          else console.log(`${database}: applied ${applied.join(', ')}`);
        }
      } finally {
        await knex.destroy();
      }
    });

  db.command('rollback')
    .description('revert the last batch of migrations (or all with --all)')
    .option('--all', 'revert every migration')
    .addOption(ownerOption())
    .action(async (opts: { all?: boolean; owner?: MigrationOwner[] }) => {
      const config = loadConfig();
      const knex = createKnex(config.DATABASE_URL, { poolMax: 2 });
      try {
        const { reverted } = await migrateRollback(knex, { all: opts.all, owners: opts.owner });
        console.log(reverted.length === 0 ? 'nothing to roll back' : `reverted ${reverted.join(', ')}`);
      } finally {
        await knex.destroy();
      }
    });
}
