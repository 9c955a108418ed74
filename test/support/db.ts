import { randomBytes } from 'node:crypto';
import { createKnex, type Knex } from '../../platform/index.js';
import { migrateLatest } from '../../db/index.js';

const BASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TEMPLATE = `wareflow_test_template_${process.pid}`;

let templateReady: Promise<void> | undefined;

function urlFor(database: string): string {
  const url = new URL(BASE_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(fn: (admin: Knex) => Promise<T>): Promise<T> {
  const admin = createKnex(urlFor('postgres'), { poolMax: 1 });
  try {
    return await fn(admin);
  } finally {
    await admin.destroy();
  }
}

/** Migrates a template database once per test process; each test database is a copy of it. */
function ensureTemplate(): Promise<void> {
  templateReady ??= (async () => {
    await withAdmin(async (admin) => {
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [TEMPLATE]);
      await admin.raw('CREATE DATABASE ??', [TEMPLATE]);
    });
    const knex = createKnex(urlFor(TEMPLATE), { poolMax: 1 });
    try {
      await migrateLatest(knex);
    } finally {
      await knex.destroy();
    }
    process.once('exit', () => undefined);
  })();
  return templateReady;
}

export interface TestDatabase {
  name: string;
  url: string;
  knex: Knex;
  /** Drops the database; call from `after`. */
  drop(): Promise<void>;
}

/**
 * A fresh, fully migrated database of its own (`wareflow_test_<random>`), so test files never
 * see each other's rows. Pass `{ migrated: false }` for an empty one.
 */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `wareflow_test_${randomBytes(5).toString('hex')}`;
  if (options.migrated === false) {
    await withAdmin((admin) => admin.raw('CREATE DATABASE ??', [name]));
  } else {
    await ensureTemplate();
    await withAdmin((admin) => admin.raw('CREATE DATABASE ?? TEMPLATE ??', [name, TEMPLATE]));
  }
  const url = urlFor(name);
  const knex = createKnex(url, { poolMax: 5 });
  return {
    name,
    url,
    knex,
    async drop() {
      await knex.destroy();
      await withAdmin((admin) => admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]));
    },
  };
}

/** Drops the template; mocha's root hook calls it once at the end. */
export async function dropTemplate(): Promise<void> {
  if (!templateReady) return;
  await withAdmin((admin) => admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [TEMPLATE]));
}
