import type { Command } from 'commander';
import { createKnex, loadConfig, redact } from '../../platform/index.js';
import { ensureDatabase, migrateLatest, migrateRollback } from '../../db/index.js';

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('warehouse database: migrations');

  db.command('migrate')
    .description('create the database if needed and apply every pending migration (safe to run twice)')
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }) => {
      const config = loadConfig();
      const created = await ensureDatabase(config.DATABASE_URL, (url) => createKnex(url, { poolMax: 1 }));
      const knex = createKnex(config.DATABASE_URL, { poolMax: 2 });
      try {
        const { applied } = await migrateLatest(knex);
        if (opts.json)
          console.log(JSON.stringify({ database: redact(config.DATABASE_URL), created, applied }));
        else if (applied.length === 0) console.log(`${redact(config.DATABASE_URL)}: already up to date`);
        else console.log(`${redact(config.DATABASE_URL)}: applied ${applied.join(', ')}`);
      } finally {
        await knex.destroy();
      }
    });

  db.command('rollback')
    .description('revert the last batch of migrations (or all with --all)')
    .option('--all', 'revert every migration')
    .action(async (opts: { all?: boolean }) => {
      const config = loadConfig();
      const knex = createKnex(config.DATABASE_URL, { poolMax: 2 });
      try {
        const { reverted } = await migrateRollback(knex, opts.all);
        console.log(reverted.length === 0 ? 'nothing to roll back' : `reverted ${reverted.join(', ')}`);
      } finally {
        await knex.destroy();
      }
    });
}
