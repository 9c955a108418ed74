import type { Command } from 'commander';
import {
  ROLES,
  hashPassword,
  isRole,
  isUserName,
  readUsers,
  writeUsers,
  type Role,
} from '../../dashboard/index.js';
import { cliActor, recordAudit, type AuditTarget } from '../../engine/index.js';
import { coerceError, createKnex, loadConfig } from '../../platform/index.js';
import { UsageError } from '../errors.js';
import { printJson, printTable } from './arguments.js';

const MIN_PASSWORD = 8;

/** `--file`, else DASHBOARD_USERS_FILE: the file the dashboard reads its users from. */
function usersFile(opts: { file?: string }): string {
  const file = opts.file ?? loadConfig().DASHBOARD_USERS_FILE;
  if (!file) throw new UsageError('no users file: set DASHBOARD_USERS_FILE (or pass --file PATH)');
  return file;
}

/**
 * `wareflow users add|list|remove`: the dashboard's users file (`name:role:scrypt$…` lines).
 * The dashboard notices a changed file within a second; no restart needed. A malformed file is an
 * InvalidInputError naming its line: one line, exit 2.
 */
export function registerUsersCommands(program: Command): void {
  const users = program
    .command('users')
    .description('dashboard users (DASHBOARD_USERS_FILE): add, list, remove; passwords hashed with scrypt');

  users
    .command('add')
    .description('add a user, or replace the role and password of an existing one')
    .argument('<name>', 'login name: letters, digits, . _ @ - (at most 64)')
    .requiredOption('--role <role>', `${ROLES.join(' or ')}`)
    .option('--file <path>', 'users file (default DASHBOARD_USERS_FILE)')
    .addHelpText(
      'after',
      '\nThe password is read from stdin when it is not a terminal, else prompted for (not echoed).',
    )
    .action(async (name: string, opts: { role: string; file?: string }) => {
      if (!isUserName(name))
        throw new UsageError(
          `user name must be 1-64 letters, digits or . _ @ - (got '${name.slice(0, 80)}')`,
        );
      if (!isRole(opts.role))
        throw new UsageError(`--role must be ${ROLES.join(' or ')} (got '${opts.role.slice(0, 40)}')`);
      const role: Role = opts.role;
      const file = usersFile(opts);
      const all = await readUsers(file);
      const password = await readPassword(name);
      if (password.length < MIN_PASSWORD)
        throw new UsageError(`the password must have at least ${MIN_PASSWORD} characters`);
      const existed = all.has(name);
      all.set(name, { role, hash: await hashPassword(password) });
      await writeUsers(file, all);
      await auditUserChange({ action: 'user.add', detail: { user: name, role, replaced: existed } });
      process.stdout.write(`${existed ? 'updated' : 'added'} ${name} (${role}) in ${file}\n`);
    });

  users
    .command('list')
    .description('list users and their roles (never their hashes)')
    .option('--file <path>', 'users file (default DASHBOARD_USERS_FILE)')
    .option('--json', 'print one JSON document')
    .action(async (opts: { file?: string; json?: boolean }) => {
      const all = await readUsers(usersFile(opts));
      const rows = [...all].map(([name, u]) => ({ name, role: u.role }));
      if (opts.json) return printJson(rows);
      printTable(
        ['name', 'role'],
        rows.map((r) => [r.name, r.role]),
      );
    });

  users
    .command('remove')
    .description('remove a user (their sessions end within a second)')
    .argument('<name>', 'login name')
    .option('--file <path>', 'users file (default DASHBOARD_USERS_FILE)')
    .action(async (name: string, opts: { file?: string }) => {
      const file = usersFile(opts);
      const all = await readUsers(file);
      if (!all.delete(name)) throw new UsageError(`no user '${name.slice(0, 80)}' in ${file}`);
      await writeUsers(file, all);
      await auditUserChange({ action: 'user.remove', detail: { user: name } });
      process.stdout.write(`removed ${name} from ${file}\n`);
    });
}

/**
 * Records a change of the users file in the audit log of DATABASE_URL. The file is what the
 * dashboard trusts, and it may be written before any database exists: when the entry cannot be
 * written, the change stands and one line on stderr says so.
 */
async function auditUserChange(target: AuditTarget & { action: string }): Promise<void> {
  const knex = createKnex(loadConfig().DATABASE_URL, { poolMax: 1, applicationName: 'wareflow-users' });
  try {
    await recordAudit({ knex }, { ...cliActor(), ...target });
  } catch (err) {
    process.stderr.write(
      `wareflow: not recorded in the audit log: ${coerceError(err).message.split('\n')[0]}\n`,
    );
  } finally {
    await knex.destroy();
  }
}

/** The first line of stdin when it is piped; a prompt without echo (asked twice) on a terminal. */
async function readPassword(name: string): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin) text += (chunk as Buffer).toString('utf8');
    return text.split(/\r?\n/)[0] ?? '';
  }
  const first = await promptHidden(`password for ${name}: `);
  const again = await promptHidden('again: ');
  if (first !== again) throw new UsageError('the two passwords differ');
  return first;
}

function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (outcome: () => void) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      outcome();
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish(() => resolve(value));
        if (ch === '\u0003') return finish(() => reject(new UsageError('cancelled')));
        value = ch === '\u007f' || ch === '\b' ? value.slice(0, -1) : value + ch;
      }
    };
    stdin.on('data', onData);
  });
}
