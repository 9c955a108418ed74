import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

export type { Knex };

// bigint (int8) and numeric come back from pg as strings by default; the warehouse never stores
// values beyond 2^53 in them, so read them as numbers everywhere.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
// `date` stays the 'YYYY-MM-DD' text PostgreSQL sends: turning it into a JS Date would shift it
// into the process time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export interface PostgresOptions {
  /** Largest number of connections this process holds. @defaultValue 10 */
  poolMax?: number;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
  /** A statement each new connection runs before its first use (session settings). */
  onConnect?: string;
}

/** A knex handle on the warehouse. Close it with `destroy()`. */
export function createKnex(databaseUrl: string, options: PostgresOptions = {}): Knex {
  return knexFactory({
    client: 'pg',
    connection: {
      connectionString: databaseUrl,
      application_name: options.applicationName ?? 'wareflow',
      // No JIT compilation: over the monthly partitions a plan has many nodes, and compiling them
      // took 3.6 s for a data-quality statement that ran in 0.13 s (docs: db/README.md,
      // "Partitioned tables"); the warehouse's statements are index lookups and pruned scans.
      options: '-c jit=off',
    },
    pool: {
      min: 0,
      max: options.poolMax ?? 10,
      ...(options.onConnect && {
        afterCreate(conn: pg.Client, done: (err: Error | undefined, conn: pg.Client) => void) {
          conn.query(options.onConnect!).then(
            () => done(undefined, conn),
            (err: Error) => done(err, conn),
          );
        },
      }),
    },
    acquireConnectionTimeout: 30_000,
    log: {
      // A failed connection also rejects the query, and its caller reports it in one line; knex
      // would print it a second time, with a stack.
      warn(message: string) {
        if (!message.startsWith('Acquire connection error')) process.stderr.write(`${message}\n`);
      },
    },
  });
}
