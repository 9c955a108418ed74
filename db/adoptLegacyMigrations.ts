import type { Knex } from 'knex';
import { MIGRATION_OWNERS, migrationsTableOf, tableExists, type MigrationOwner } from './migrationOwners.js';

/** The single knex table every owner shared before migrations were split per owner. */
export const LEGACY_TABLE = 'knex_migrations';
/** What the legacy table is renamed to once adopted: kept for the record, never read again. */
export const ADOPTED_LEGACY_TABLE = 'knex_migrations_legacy';

/**
 * Each migration of the shared sequence and the per-owner migrations that do exactly what it did.
 * `20261121000400_streaming` created the stream's offsets and a ledger column, so it maps to one
 * migration of each owner.
 */
const LEGACY_EQUIVALENTS: Readonly<Record<string, ReadonlyArray<readonly [MigrationOwner, string]>>> = {
  '20261121000100_inventory.ts': [['inventory', '0001_inventory.ts']],
  '20261121000200_analytics.ts': [['inventory', '0002_analytics.ts']],
  '20261121000300_orchestrator.ts': [['engine', '0001_orchestrator.ts']],
  '20261121000400_streaming.ts': [
    ['inventory', '0003_source_partition.ts'],
    ['streaming', '0001_consumer_offsets.ts'],
  ],
  '20261121000500_dags.ts': [['inventory', '0004_dags.ts']],
  '20261122000600_run_version.ts': [['engine', '0002_run_version.ts']],
  '20261122000700_cause_ids.ts': [['inventory', '0005_cause_ids.ts']],
};

/** Serialises adoption between processes that start at the same time (any fixed key will do). */
const ADOPTION_LOCK_KEY = 7_150_000_015;

/**
 * Adopts a database migrated before migrations were split per owner: for every name listed in
 * `public.knex_migrations`, records the equivalent per-owner migrations as applied (same batch and
 * time, nothing is re-run), then renames the legacy table to `knex_migrations_legacy` (or drops
 * it when it lists nothing). All of it in one transaction, so a crash leaves either the old
 * bookkeeping or the new one. Returns the adopted names as `owner/file`; a no-op afterwards.
 */
export async function adoptLegacyMigrations(knex: Knex): Promise<string[]> {
  if (!(await tableExists(knex, `public.${LEGACY_TABLE}`))) return [];
  return knex.transaction(async (trx) => {
    await trx.raw('SELECT pg_advisory_xact_lock(?)', [ADOPTION_LOCK_KEY]);
    // Another process may have adopted it while we waited for the lock.
    if (!(await tableExists(trx, `public.${LEGACY_TABLE}`))) return [];
    const legacy: Array<{ name: string; batch: number; migration_time: Date }> = await trx(
      `public.${LEGACY_TABLE}`,
    )
      .select('name', 'batch', 'migration_time')
      .orderBy('id');
    const unknown = legacy.filter((row) => !(row.name in LEGACY_EQUIVALENTS)).map((row) => row.name);
    if (unknown.length > 0)
      throw new Error(
        `public.${LEGACY_TABLE} lists migrations this version of wareflow does not know ` +
          `(${unknown.join(', ')}); migrate with the version that wrote them`,
      );

    for (const owner of MIGRATION_OWNERS) await createOwnerTable(trx, owner);
    const adopted: string[] = [];
    for (const row of legacy) {
      for (const [owner, name] of LEGACY_EQUIVALENTS[row.name] ?? []) {
        const table = `public.${migrationsTableOf(owner)}`;
        if (await trx(table).where({ name }).first()) continue;
        await trx(table).insert({ name, batch: row.batch, migration_time: row.migration_time });
        adopted.push(`${owner}/${name}`);
      }
    }
    await retireLegacyTable(trx, legacy.length === 0);
    return adopted;
  });
}

/** Creates an owner's bookkeeping tables exactly as knex would (knex skips existing ones). */
async function createOwnerTable(trx: Knex.Transaction, owner: MigrationOwner): Promise<void> {
  const table = migrationsTableOf(owner);
  const schema = trx.schema.withSchema('public');
  if (!(await tableExists(trx, `public.${table}`)))
    await schema.createTable(table, (t) => {
      t.increments();
      t.string('name');
      t.integer('batch');
      t.timestamp('migration_time');
    });
  if (!(await tableExists(trx, `public.${table}_lock`))) {
    await trx.schema.withSchema('public').createTable(`${table}_lock`, (t) => {
      t.increments('index').primary();
      t.integer('is_locked');
    });
    await trx(`public.${table}_lock`).insert({ is_locked: 0 });
  }
}

/**
 * Renames the legacy table (and knex's lock table beside it) so that nothing reads it again but
 * an operator can still see what the old runner recorded; an empty one is simply dropped.
 */
async function retireLegacyTable(trx: Knex.Transaction, empty: boolean): Promise<void> {
  const lock = `${LEGACY_TABLE}_lock`;
  if (empty) {
    await trx.schema.withSchema('public').dropTable(LEGACY_TABLE);
    await trx.schema.withSchema('public').dropTableIfExists(lock);
    return;
  }
  if (await tableExists(trx, `public.${ADOPTED_LEGACY_TABLE}`))
    throw new Error(
      `public.${LEGACY_TABLE} and public.${ADOPTED_LEGACY_TABLE} both list migrations; ` +
        `keep the one that describes this database and drop the other`,
    );
  await trx.schema.withSchema('public').renameTable(LEGACY_TABLE, ADOPTED_LEGACY_TABLE);
  if (await tableExists(trx, `public.${lock}`))
    await trx.schema.withSchema('public').renameTable(lock, `${ADOPTED_LEGACY_TABLE}_lock`);
}
