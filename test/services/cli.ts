import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServicesResult } from '../../services/index.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `wareflow …` (or another of the project's commands, `bin`) as a user would: a separate
 * process, with extra environment variables.
 */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  bin = 'bin/wareflow.js',
): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: REPO_ROOT, env: { ...process.env, LOG_LEVEL: 'error', ...env }, maxBuffer: 8 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** Runs a `services` command with --json and parses its one document. */
export async function servicesJson(command: 'up' | 'down' | 'status', env: NodeJS.ProcessEnv = {}) {
  const run = await runCli(['services', command, '--json'], env);
  let result: ServicesResult;
  try {
    result = JSON.parse(run.stdout) as ServicesResult;
  } catch {
    throw new Error(
      `services ${command} --json printed no JSON document (exit ${run.code}): ${run.stdout}\n${run.stderr}`,
    );
  }
  const byName = Object.fromEntries(result.services.map((s) => [s.service, s]));
  return { ...run, result, byName };
}
