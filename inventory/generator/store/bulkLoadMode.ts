import type { Knex } from 'knex';

/**
 * Inside a transaction, skips the foreign-key triggers of the rows this transaction writes, the
 * way pg_restore's --disable-triggers does; it lasts until the transaction ends. Only for writers
 * that guarantee the references themselves (the generator writes the products and warehouses it
 * refers to in the same transaction). Needs a superuser; returns false, changing nothing, for
 * any other role.
 */
export async function skipForeignKeyChecks(trx: Knex.Transaction): Promise<boolean> {
  const { rows } = await trx.raw<{ rows: Array<{ rolsuper: boolean }> }>(
    'SELECT rolsuper FROM pg_roles WHERE rolname = current_user',
  );
  if (!rows[0]?.rolsuper) return false;
  await trx.raw('SET LOCAL session_replication_role = replica');
  return true;
}
