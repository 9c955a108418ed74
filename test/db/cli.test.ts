import { expect } from 'chai';
import { runCli } from '../services/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

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
      .and.to.have.deep.property('applied', [
        'engine/0001_orchestrator.ts',
        'engine/0002_run_version.ts',
        'engine/0003_try_key.ts',
        'engine/0004_audit_notes.ts',
        'engine/0005_cancel.ts',
        'engine/0006_assets.ts',
      ]);

    const rest = await run(['migrate']);
    expect(rest.code, rest.stderr).to.equal(0);
    expect(rest.stdout).to.match(
      /: applied inventory\/0001_inventory\.ts, .*streaming\/0003_dlq_replays\.ts\n$/,
    );
    expect(rest.stdout).not.to.contain('engine/');

    const again = await run(['migrate']);
    expect(again.stdout).to.match(/: already up to date\n$/);
  });

  it('revert the last batch, then everything with --all, and reject an unknown owner', async () => {
    const last = await run(['rollback']);
    expect(last.code, last.stderr).to.equal(0);
    expect(last.stdout).to.match(
      /^reverted streaming\/0003_dlq_replays\.ts, .*inventory\/0001_inventory\.ts\n$/,
    );

    const all = await run(['rollback', '--all']);
    expect(all.stdout).to.equal(
      'reverted engine/0006_assets.ts, engine/0005_cancel.ts, engine/0004_audit_notes.ts, engine/0003_try_key.ts, engine/0002_run_version.ts, engine/0001_orchestrator.ts\n',
    );
    expect((await run(['rollback', '--all'])).stdout).to.equal('nothing to roll back\n');

    const bad = await run(['migrate', '--owner', 'dashboard']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain("'dashboard' is invalid");
  });
});
