/** One measured figure with the limit measured in the same run (SPEC §8). */
export interface BenchResult {
  metric: string;
  value: number;
  unit: string;
  /** The reference measured in the same run (for example the bare broker or SQL figure). */
  limit_value: number;
  /** value / limit_value. */
  ratio_to_limit: number;
}

export function result(metric: string, value: number, unit: string, limitValue: number): BenchResult {
  const ratio = limitValue === 0 ? 0 : value / limitValue;
  return {
    metric,
    value: round(value),
    unit,
    limit_value: round(limitValue),
    ratio_to_limit: round(ratio),
  };
}

function round(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 1000) / 1000 : x;
}

/** Prints the human table, then the one-line JSON document as the very last line. */
export function printReport(bench: string, results: BenchResult[], notes: string[] = []): void {
  const rows = results.map((r) => [
    r.metric,
    `${r.value} ${r.unit}`,
    `${r.limit_value} ${r.unit}`,
    String(r.ratio_to_limit),
  ]);
  const header = ['metric', 'value', 'limit (same run)', 'ratio'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(`\nbench ${bench}`);
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(r));
  for (const n of notes) console.log(`note: ${n}`);
  console.log(JSON.stringify({ bench, results }));
}
