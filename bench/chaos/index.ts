/**
 * `npm run chaos [-- --scenario NAME …] [--quick]`: the fault suite. Each scenario runs against
 * services of its own (PostgreSQL, Redis, and a Kafka broker where the broker is the fault) and
 * prints a table row; the last line is the SPEC §8 JSON. Exit code 1 when a scenario lost or
 * doubled anything, failed, or recovered past its bound.
 */
import { runScenario, SCENARIOS, type ScenarioRow } from './scenarios.js';

export { runScenario, SCENARIOS, type Scenario, type ScenarioRow } from './scenarios.js';

export interface ChaosOptions {
  scenario?: string[];
  quick?: boolean;
}

/** Whether a row meets the suite's bar: nothing lost, nothing doubled, recovery within bound. */
export function passed(row: ScenarioRow & { error?: string }): boolean {
  return !row.error && row.lost === 0 && row.doubled === 0 && row.recovery_s <= row.bound_s;
}

export async function run(options: ChaosOptions): Promise<void> {
  const names = options.scenario ?? [];
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown scenario ${unknown.join(', ')}; one of ${SCENARIOS.map((s) => s.name).join(', ')}\n`,
    );
    process.exitCode = 2;
    return;
  }
  const chosen = SCENARIOS.filter((s) =>
    names.length > 0 ? names.includes(s.name) : !options.quick || s.quick,
  );
  const rows: Array<ScenarioRow & { error?: string }> = [];
  for (const s of chosen) {
    const row = await runScenario(s);
    rows.push(row);
    process.stderr.write(`[chaos] ${formatRow(row)}\n`);
  }
  const header = [
    'scenario',
    'events',
    'runs',
    'lost',
    'doubled',
    'recovery_s',
    'bound_s',
    'took_s',
    'result',
  ];
  const cells = rows.map((r) => [
    r.scenario,
    String(r.events ?? '-'),
    String(r.runs ?? '-'),
    String(r.lost),
    String(r.doubled),
    String(r.recovery_s),
    String(r.bound_s),
    String(r.took_s),
    passed(r) ? 'ok' : 'FAILED',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i]!)).join('  ');
  console.log('\nbench chaos');
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const c of cells) console.log(line(c));
  for (const r of rows) if (r.error) console.log(`note: ${r.scenario} failed: ${r.error.split('\n')[0]}`);
  for (const s of chosen) console.log(`note: ${s.name}: ${s.fault}`);
  const results = rows.map((r) => ({
    scenario: r.scenario,
    ...(r.events !== undefined ? { events: r.events } : {}),
    ...(r.runs !== undefined ? { runs: r.runs } : {}),
    lost: r.lost,
    doubled: r.doubled,
    recovery_s: r.recovery_s,
  }));
  console.log(JSON.stringify({ bench: 'chaos', results }));
  if (!rows.every(passed)) process.exitCode = 1;
}

function formatRow(r: ScenarioRow & { error?: string }): string {
  return `${r.scenario}: events ${r.events ?? '-'}, runs ${r.runs ?? '-'}, lost ${r.lost}, doubled ${r.doubled}, recovery ${r.recovery_s} s, took ${r.took_s} s${r.error ? `\n${r.error}` : ''}`;
}
