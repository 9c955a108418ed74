import { readdirSync } from 'node:fs';
import { expect } from 'chai';
import { runCli } from '../services/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/** An owner's migration files, in the order they apply (their names sort by number). */
const migrationsOf = (owner: string) =>
  readdirSync(`db/migrations/${owner}`)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => `${owner}/${f}`);
const ENGINE_MIGRATIONS = migrationsOf('engine');
/** The last migration `db migrate` applies: the stream's newest (owners apply engine, inventory, streaming). */
const LAST_MIGRATION = migrationsOf('streaming').at(-1)!.replaceAll('.', '\\.');

describe('wareflow db migrate / db rollback', () => {
  let db: TestDatabase;
  const run = (args: string[]) => runCli(['db', ...args], { DATABASE_URL: db.url, LOG_LEVEL: 'silent' });

  before(async () => {
    db = await createTestDatabase({ migrated: false });
  });
  after(async () => db?.drop());

  it("apply the engine's migrations alone, then the rest, then nothing", async () => {
    const engine = await run(['migrate', '--owner', 'engine', '--json']);
    expect(engine.code, engine.stderr).to.equal(0);
    expect(JSON.parse(engine.stdout))
      .to.include({ created: false })
      .and.to.have.deep.property('applied', ENGINE_MIGRATIONS);

    const rest = await run(['migrate']);
    expect(rest.code, rest.stderr).to.equal(0);
    expect(rest.stdout).to.match(
      new RegExp(`: applied inventory/0001_inventory\\.ts, .*${LAST_MIGRATION}\n$`),
    );
    expect(rest.stdout).not.to.contain('engine/');

    const again = await run(['migrate']);
    expect(again.stdout).to.match(/: already up to date\n$/);
  });

  it('revert the last batch, then everything with --all, and reject an unknown owner', async () => {
    const last = await run(['rollback']);
    expect(last.code, last.stderr).to.equal(0);
    expect(last.stdout).to.match(
      new RegExp(`^reverted ${LAST_MIGRATION}, .*inventory/0001_inventory\\.ts\n$`),
    );

    const all = await run(['rollback', '--all']);
    expect(all.stdout).to.equal(`reverted ${[...ENGINE_MIGRATIONS].reverse().join(', ')}
`);
    expect((await run(['rollback', '--all'])).stdout).to.equal('nothing to roll back\n');

    const bad = await run(['migrate', '--owner', 'dashboard']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain("'dashboard' is invalid");
  });
});
