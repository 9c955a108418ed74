/** Alert severities, lowest first (SPEC §5, §7): every alert and anomaly carries one of them. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

const RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

/** 0 (low) … 3 (critical); an unknown name ranks as low. */
export const severityRank = (s: string): number => RANK[s as Severity] ?? 0;

/** `severityRank` as an SQL expression over `expr` (a severity column or value). */
export function severityRankSql(expr: string): string {
  return `CASE ${expr} ${SEVERITIES.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ')} ELSE 0 END`;
}
