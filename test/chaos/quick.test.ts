import { expect } from 'chai';
import { passed, runScenario, SCENARIOS } from '../../bench/chaos/index.js';

/**
 * The fast scenarios of `npm run chaos` (`--quick`), each against services of its own: a
 * PostgreSQL restarted and a Redis killed mid-backfill, and the database re-created under a Redis
 * that keeps its jobs. The slower ones run with `npm run chaos`.
 */
describe('chaos: the quick fault scenarios', function () {
  this.timeout(240_000);
  for (const scenario of SCENARIOS.filter((s) => s.quick)) {
    it(`${scenario.name}: ${scenario.fault}; nothing lost or doubled, recovery within ${scenario.bound_s} s`, async () => {
      const row = await runScenario(scenario);
      expect(row.error, row.error).to.equal(undefined);
      expect({ lost: row.lost, doubled: row.doubled }).to.deep.equal({ lost: 0, doubled: 0 });
      expect(row.recovery_s).to.be.at.most(scenario.bound_s);
      expect(passed(row)).to.equal(true);
    });
  }
});
