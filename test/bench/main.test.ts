import { expect } from 'chai';
import { runCli } from '../services/cli.js';

const bench = (...args: string[]) => runCli(args, {}, 'bin/wareflow-bench.js');

describe('npm run bench: arguments', function () {
  this.timeout(30_000);

  it('exit 2 with one line on stderr for a bad benchmark name, option or value, before any work', async () => {
    const cases: Array<[string, string[], RegExp]> = [
      ['no benchmark', [], /Usage: wareflow-bench/],
      ['unknown benchmark', ['nothing'], /unknown command 'nothing'/],
      ['unknown option', ['streaming', '--evnts', '5'], /unknown option '--evnts'/],
      ['not a number', ['streaming', '--events', 'many'], /--events .* 'many' is invalid/],
      ['too few events to time', ['streaming', '--events', '10'], /whole number ≥ 10000/],
      ['fraction out of range', ['scheduler', '--scale', '2'], /from 0.001 to 1/],
      ['not whole', ['etl', '--rows', '1.5'], /--rows/],
      ['counts not increasing', ['scaleout', '--workers', '4,2'], /increasing whole numbers of processes/],
      ['more sidecars than partitions', ['scaleout', '--sidecars', '1,8'], /from 1 to 6/],
    ];
    for (const [what, args, message] of cases) {
      const r = await bench(...args);
      expect(r.code, `${what}: ${r.stderr}`).to.equal(2);
      expect(r.stderr, what).to.match(message);
      expect(r.stdout, what).to.equal('');
      if (args.length > 0) expect(r.stderr.trim().split('\n'), what).to.have.length(1);
    }
  });

  it('--help describes a benchmark and its options, exit 0', async () => {
    const r = await bench('streaming', '--help');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include('--events <n>').and.include('--latency-seconds <n>').and.include('--mixed');
  });
});
