import { execFile } from 'node:child_process';
import { REPO_ROOT } from './cli.js';

/** Runs a command in the repository root; never rejects. */
export function exec(
  command: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(command, args, { cwd: REPO_ROOT }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 127) : 0, stdout, stderr }),
    ),
  );
}

export async function installed(command: string): Promise<boolean> {
  return (await exec('sh', ['-c', `command -v ${command}`])).code === 0;
}

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
]);

/** Metric names a PromQL expression reads (functions, keywords, label lists and matchers removed). */
export function metricsOf(expr: string): string[] {
  const bare = expr
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  return [...bare.matchAll(/\b([a-zA-Z_][a-zA-Z0-9_]*)\b(?!\s*\()/g)]
    .map((m) => m[1]!)
    .filter((name) => !KEYWORDS.has(name))
    .map((name) => name.replace(/_(bucket|sum|count)$/, ''));
}

/**
 * The `expr` of every rule in a Prometheus rules file, inline or as a `|` block. A small reader
 * for the shapes our rule files use, not a YAML parser.
 */
export function ruleExpressions(text: string): Array<{ alert: string; expr: string }> {
  const lines = text.split('\n');
  const out: Array<{ alert: string; expr: string }> = [];
  let alert = '';
  lines.forEach((line, i) => {
    const named = /^\s*- alert:\s*(\S+)/.exec(line);
    if (named) alert = named[1]!;
    const m = /^(\s*)expr:\s*(.*)$/.exec(line);
    if (!m) return;
    if (m[2] !== '|') {
      out.push({ alert, expr: m[2]! });
      return;
    }
    const indent = m[1]!.length;
    const body: string[] = [];
    for (const next of lines.slice(i + 1)) {
      if (next.trim() !== '' && next.length - next.trimStart().length <= indent) break;
      body.push(next.trim());
    }
    out.push({ alert, expr: body.join(' ').trim() });
  });
  return out;
}
