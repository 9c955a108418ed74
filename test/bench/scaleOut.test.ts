import { expect } from 'chai';
import { Kafka, logLevel } from 'kafkajs';
import { createKnex } from '../../platform/index.js';
import { TEST_KAFKA_BROKERS } from '../support/isolation.js';
import { runCli } from '../services/cli.js';

/**
 * `npm run bench -- scaleout` at its smallest: one sidecar draining 10,000 events and one worker
 * running five 20-task runs, on the machine's PostgreSQL, Redis and Kafka (databases, topics and
 * queue prefix of its own). What the README's "Scaling out" table is made of.
 */
describe('npm run bench -- scaleout: the smallest configuration', function () {
  this.timeout(600_000);

  it('prints a row per process count with its CPU by role, and the SPEC §8 document last, leaving nothing behind', async () => {
    const r = await runCli(
      ['scaleout', '--sidecars', '1', '--workers', '1', '--events', '10000', '--runs', '5'],
      {},
      'bin/wareflow-bench.js',
    );
    expect(r.code, r.stderr).to.equal(0);
    const lines = r.stdout.trim().split('\n');

    const doc = JSON.parse(lines.at(-1)!) as {
      bench: string;
      results: Array<{
        metric: string;
        value: number;
        unit: string;
        limit_value: number;
        ratio_to_limit: number;
      }>;
    };
    expect(doc.bench).to.equal('scaleout');
    expect(doc.results.map((m) => m.metric)).to.deep.equal([
      'events_per_s_sidecars_1',
      'pg_cpu_us_per_event_sidecars_1',
      'task_instances_per_s_workers_1',
    ]);
    for (const m of doc.results) {
      expect(m.value, m.metric).to.be.a('number').above(0);
      expect(m.limit_value, m.metric).to.be.a('number').above(0);
      expect(m.ratio_to_limit, m.metric).to.be.closeTo(m.value / m.limit_value, 0.01);
    }

    // One row per count: the count, its rate, the limit, the ratio, PostgreSQL's CPU per item and
    // what one core of it serves, then the CPU shares (whole percentages) and the load average.
    const rowOf = (title: RegExp) => {
      const at = lines.findIndex((l) => title.test(l));
      expect(at, `${title}\n${r.stdout}`).to.be.above(-1);
      return { header: lines[at + 1]!.trim().split(/\s+/), row: lines[at + 2]!.trim().split(/\s+/) };
    };
    for (const [title, app] of [
      [/^sidecars: /, 'sidecars%'],
      [/^workers: /, 'workers%'],
    ] as const) {
      const { header, row } = rowOf(title);
      expect(header, title.source).to.include(app).and.include('pg%').and.include('other%');
      expect(row, title.source).to.have.length(header.length);
      expect(row[0], title.source).to.equal('1');
      // Every share was read (a number, not '–'), the process scaled's included.
      const shares = header.flatMap((h, i) => (h.endsWith('%') ? [Number(row[i])] : []));
      for (const s of shares) expect(s, `${title.source} ${row.join(' ')}`).to.be.within(0, 100);
      // PostgreSQL did work in the phase, and its CPU per item gives what one core of it serves.
      const pgPerItem = Number(row[header.findIndex((h) => h.startsWith('PG-µs/'))]);
      expect(pgPerItem, `${title.source} ${row.join(' ')}`).to.be.above(0);
      expect(Number(row[header.indexOf('per-PG-core')]!.replace(/,/g, ''))).to.be.closeTo(
        1e6 / pgPerItem,
        1e6 / pgPerItem / 50,
      );
    }

    // Nothing left: no database or topic of the run.
    const [, name = '', suffix = ''] = /databases (\S+)_\*, topics \*(\S+)$/m.exec(r.stdout) ?? [];
    expect(name, r.stdout).to.match(/^wareflow_bench_scaleout_/);
    expect(suffix, r.stdout).to.match(/^\.bench-/);
    const admin = createKnex('postgres://postgres@127.0.0.1:5432/postgres', { poolMax: 1 });
    try {
      const { rows } = await admin.raw('SELECT datname FROM pg_database WHERE starts_with(datname, ?)', [
        name,
      ]);
      expect(rows).to.deep.equal([]);
    } finally {
      await admin.destroy();
    }
    const kafka = new Kafka({
      clientId: 'spec',
      brokers: TEST_KAFKA_BROKERS,
      logLevel: logLevel.NOTHING,
    }).admin();
    await kafka.connect();
    try {
      expect((await kafka.listTopics()).filter((t) => t.endsWith(suffix))).to.deep.equal([]);
    } finally {
      await kafka.disconnect();
    }
  });
});
