import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../platform/index.js';

/** A login `wareflow start` made for a laptop, and where it keeps it. */
export interface LocalCredentials {
  user: string;
  password: string;
  /** True when this start generated it (the first start on this DATA_DIR). */
  generated: boolean;
  file: string;
}

const USER = 'admin';

/**
 * When the configuration gives no way to log in and something needs one (mutations, or reads
 * that are not public), the first `wareflow start` generates an operator with a strong password
 * (144 random bits), keeps it readable by this user only in `DATA_DIR/credentials.json`, and
 * every later start reuses it. The password stays in plain text there, not hashed, because each
 * start prints it (`login: USER / PASSWORD`); the file is as private as a users file. Returns
 * undefined when the configuration already says how to log in: then nothing is generated or read.
 */
export async function ensureLocalCredentials(
  config: Pick<
    Config,
    | 'DATA_DIR'
    | 'DASHBOARD_USER'
    | 'DASHBOARD_USERS_FILE'
    | 'DASHBOARD_TOKEN'
    | 'DASHBOARD_READONLY'
    | 'DASHBOARD_PUBLIC_READ'
  >,
): Promise<LocalCredentials | undefined> {
  const hasCredentials =
    config.DASHBOARD_USER !== undefined ||
    config.DASHBOARD_USERS_FILE !== undefined ||
    config.DASHBOARD_TOKEN !== undefined;
  if (hasCredentials || (config.DASHBOARD_READONLY && config.DASHBOARD_PUBLIC_READ)) return undefined;
  const file = path.join(config.DATA_DIR, 'credentials.json');
  const stored = await readStored(file);
  if (stored) return { ...stored, generated: false, file };
  const created = { user: USER, password: randomBytes(18).toString('base64url') };
  await mkdir(config.DATA_DIR, { recursive: true });
  // 'wx': two starts racing on a fresh DATA_DIR must not both write; the loser reads the winner's.
  try {
    await writeFile(file, JSON.stringify(created, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    const winner = (err as { code?: string }).code === 'EEXIST' ? await readStored(file) : undefined;
    if (!winner) throw err;
    return { ...winner, generated: false, file };
  }
  return { ...created, generated: true, file };
}

async function readStored(file: string): Promise<{ user: string; password: string } | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return undefined;
    throw err;
  }
  const parsed = JSON.parse(text) as { user?: unknown; password?: unknown };
  if (typeof parsed.user !== 'string' || typeof parsed.password !== 'string' || parsed.password.length < 16)
    throw new Error(`${file} is not a wareflow credentials file: delete it to generate a new password`);
  return { user: parsed.user, password: parsed.password };
}
