import { promises as fs } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { redact, coerceError } from '../platform/index.js';
import { CommandNotFoundError, delay, isLocalHost, run } from './process.js';
import type { ServiceProbe } from './types.js';

/** Connects to DATABASE_URL and asks for the server version. */
export async function probePostgres(databaseUrl: string, timeoutMs = 2_000): Promise<ServiceProbe> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: timeoutMs });
  // A failed connect may still emit 'error' later; it must not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return { answering: true, version: `PostgreSQL ${rows[0]?.server_version ?? '?'}` };
  } catch (thrown) {
    const err = thrown as { code?: string; message?: string };
    if (err.code === '3D000') {
      // The server is there; `wareflow db migrate` creates the database.
      return { answering: true, detail: `${err.message} yet (wareflow db migrate creates it)` };
    }
    if (typeof err.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code)) {
      // A SQLSTATE means the server answered but refused us (authentication, permissions…).
      return { answering: true, detail: `server answers but refuses: ${err.message}` };
    }
    return { answering: false, detail: coerceError(thrown).message };
  } finally {
    await client.end().catch(() => undefined);
  }
}

interface Cluster {
  version: string;
  name: string;
  port: number;
  status: string;
}

/** Debian's PostgreSQL clusters (pg_lsclusters). */
async function listClusters(): Promise<Cluster[]> {
  const { stdout } = await run('pg_lsclusters', ['--no-header']);
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length >= 4)
    .map(([version, name, port, status]) => ({
      version: version!,
      name: name!,
      port: Number(port),
      status: status!,
    }));
}

export interface StartedCluster {
  version: string;
  name: string;
  port: number;
}

/**
 * Starts the local PostgreSQL cluster that listens on DATABASE_URL's port, with Debian's
 * pg_ctlcluster, and waits until it answers. Throws a message that says what is missing.
 */
export async function startPostgres(databaseUrl: string, timeoutMs: number): Promise<StartedCluster> {
  const url = new URL(databaseUrl);
  const port = Number(url.port || 5432);
  const where = redact(databaseUrl);
  if (!isLocalHost(url.hostname)) {
    throw new Error(`PostgreSQL does not answer at ${where}, and that host is not this machine`);
  }
  let clusters: Cluster[];
  try {
    clusters = await listClusters();
  } catch (err) {
    if (err instanceof CommandNotFoundError) {
      throw new Error(
        `PostgreSQL does not answer at ${where} and is not installed here (no pg_lsclusters): ` +
          'install PostgreSQL 15+ (apt-get install postgresql) or point DATABASE_URL at a running server',
      );
    }
    throw err;
  }
  const cluster = clusters.find((c) => c.port === port);
  if (!cluster) {
    const known = clusters.map((c) => `${c.version}/${c.name} on port ${c.port}`).join(', ') || 'none';
    throw new Error(
      `PostgreSQL does not answer at ${where} and no local cluster uses port ${port} (clusters: ${known})`,
    );
  }
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', cluster.version, cluster.name, 'start'], {
    timeoutMs,
  }).catch((err: Error) => {
    // "already running" races with another starter; anything else is a real failure.
    if (!/already running/i.test(err.message)) throw err;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const probe = await probePostgres(databaseUrl);
    if (probe.answering) return { version: cluster.version, name: cluster.name, port };
    if (Date.now() > deadline) {
      throw new Error(
        `PostgreSQL ${cluster.version}/${cluster.name} started but does not answer: ${probe.detail}`,
      );
    }
    await delay(200);
  }
}

/** Stops a cluster that `startPostgres` started. */
export async function stopPostgres(cluster: StartedCluster): Promise<void> {
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', cluster.version, cluster.name, 'stop']);
}

/** The cluster that `services up` started, remembered so `services down` stops only that. */
export async function readStartedCluster(marker: string): Promise<StartedCluster | undefined> {
  try {
    return JSON.parse(await fs.readFile(marker, 'utf8')) as StartedCluster;
  } catch {
    return undefined;
  }
}

export async function rememberStartedCluster(
  marker: string,
  cluster: StartedCluster | undefined,
): Promise<void> {
  if (cluster === undefined) {
    await fs.rm(marker, { force: true });
    return;
  }
  await fs.mkdir(path.dirname(marker), { recursive: true });
  await fs.writeFile(marker, JSON.stringify(cluster));
}
