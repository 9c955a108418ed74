/**
 * The fault scenarios of `npm run chaos`, one per dependency. Each builds a world of its own,
 * puts a load through it, injects its fault, waits until the system has caught up, and counts.
 * `recovery_s` is the time from the fault's end (the service back, the process restarted) to
 * caught up: every produced event in the ledger, every backfill interval succeeded.
 */
import { backfillLoad, streamLoad, type BackfillLoad, type StreamLoad, type Tally } from './loads.js';
import { openWorld, sleep, until, type World } from './world.js';

export interface ScenarioRow extends Tally {
  scenario: string;
  events?: number;
  runs?: number;
  recovery_s: number;
  /** Wall time of the whole scenario, setup included. */
  took_s: number;
  /** Recovery must be within this many seconds. */
  bound_s: number;
}

export interface Scenario {
  name: string;
  /** Part of `--quick` and of `npm test`. */
  quick: boolean;
  fault: string;
  bound_s: number;
  run(): Promise<Outcome>;
}

/** What a scenario measured. */
type Outcome = Omit<ScenarioRow, 'took_s' | 'bound_s' | 'scenario'>;

const log = (msg: string) => process.stderr.write(`[chaos] ${msg}\n`);
const seconds = (ms: number) => Math.round(ms / 100) / 10;

async function withWorld<T>(options: { ownKafka?: boolean }, fn: (w: World) => Promise<T>): Promise<T> {
  const world = await openWorld(options);
  try {
    return await fn(world);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${world.roles.map((r) => r.tail()).join('\n')}`, {
      cause: err,
    });
  } finally {
    await world.close();
  }
}

/** Time until `done`, failing past `boundS` seconds (twice the bound: the row then shows it). */
async function caughtUp(what: string, done: () => Promise<boolean>, boundS: number): Promise<number> {
  return until(what, done, boundS * 2_000);
}

async function sum(b: BackfillLoad | undefined, s: StreamLoad | undefined): Promise<Tally> {
  const [x, y] = [await b?.tally(), await s?.tally()];
  return { lost: (x?.lost ?? 0) + (y?.lost ?? 0), doubled: (x?.doubled ?? 0) + (y?.doubled ?? 0) };
}

/** Waits for a backfill and a stream both to catch up, then counts what was lost or doubled. */
async function bothCaughtUp(b: BackfillLoad, s: StreamLoad, since: number, boundS: number): Promise<Outcome> {
  await caughtUp('every run and every event', async () => (await b.done()) && (await s.caughtUp()), boundS);
  return {
    events: s.produced(),
    runs: b.total,
    ...(await sum(b, s)),
    recovery_s: seconds(Date.now() - since),
  };
}

/** A backfill under a scheduler and a worker, with `fault` injected once `after` runs succeeded. */
function backfillScenario(
  name: string,
  fault: string,
  inject: (w: World) => Promise<void>,
  options: { days?: number; after?: number; quick: boolean; bound_s: number },
): Scenario {
  return {
    name,
    fault,
    quick: options.quick,
    bound_s: options.bound_s,
    run: () =>
      withWorld({}, async (w) => {
        await w.role('scheduler').start();
        await w.role('worker').start();
        const b = await backfillLoad(w, options.days ?? 2);
        await until(
          'runs to succeed before the fault',
          async () => (await b.succeeded()) >= (options.after ?? 8),
          120_000,
        );
        log(`${name}: ${await b.succeeded()}/${b.total} runs succeeded; ${fault}`);
        await inject(w);
        const recovery = await caughtUp(`every backfill run to succeed`, b.done, options.bound_s);
        return { runs: b.total, ...(await b.tally()), recovery_s: seconds(recovery) };
      }),
  };
}

/** A stream into one sidecar, with `fault` injected once `after` events are in the ledger. */
function streamScenario(
  name: string,
  fault: string,
  inject: (w: World) => Promise<void>,
  options: {
    events: number;
    rate: number;
    after: number;
    ownKafka?: boolean;
    quick: boolean;
    bound_s: number;
  },
): Scenario {
  return {
    name,
    fault,
    quick: options.quick,
    bound_s: options.bound_s,
    run: () =>
      withWorld({ ownKafka: options.ownKafka ?? false }, async (w) => {
        await w.role('streaming').start();
        const s = await streamLoad(w);
        try {
          const producing = s.produce(options.events, options.rate);
          producing.catch(() => undefined);
          await until(
            'events in the ledger before the fault',
            async () => (await s.applied()) >= options.after,
            120_000,
          );
          log(`${name}: ${await s.applied()} events applied, ${s.produced()} produced; ${fault}`);
          await inject(w);
          const faultEnd = Date.now();
          await producing;
          await caughtUp('every produced event in the ledger', s.caughtUp, options.bound_s);
          return { events: s.produced(), ...(await s.tally()), recovery_s: seconds(Date.now() - faultEnd) };
        } finally {
          await s.close();
        }
      }),
  };
}

export const SCENARIOS: Scenario[] = [
  streamScenario(
    'postgres-stop',
    'PostgreSQL stopped with -m immediate for 30 s',
    async (w) => {
      await w.pg.stop('immediate');
      await sleep(30_000);
      await w.pg.start();
    },
    { events: 20_000, rate: 400, after: 4_000, quick: false, bound_s: 90 },
  ),
  backfillScenario(
    'postgres-restart',
    'PostgreSQL restarted (-m immediate, then started again) during a backfill',
    async (w) => {
      await w.pg.stop('immediate');
      await w.pg.start();
    },
    { quick: true, bound_s: 90 },
  ),
  backfillScenario(
    'redis-kill',
    'Redis killed without saving for 20 s, mid-backfill',
    async (w) => {
      await w.redis.kill();
      await sleep(20_000);
      await w.redis.start();
    },
    { quick: true, bound_s: 90 },
  ),
  streamScenario(
    'kafka-restart',
    'the Kafka broker stopped for 20 s and started again under a stream',
    async (w) => {
      await w.kafka!.stop();
      await sleep(20_000);
      await w.kafka!.start();
    },
    { events: 10_000, rate: 400, after: 2_000, ownKafka: true, quick: false, bound_s: 90 },
  ),
  {
    name: 'kill-9',
    fault: 'kill -9 of the worker, the scheduler and the sidecar in turn, each restarted',
    quick: false,
    bound_s: 120,
    run: () =>
      withWorld({}, async (w) => {
        const [scheduler, worker, sidecar] = [w.role('scheduler'), w.role('worker'), w.role('streaming')];
        for (const r of [scheduler, worker, sidecar]) await r.start();
        const s = await streamLoad(w);
        try {
          const producing = s.produce(10_000, 250);
          producing.catch(() => undefined);
          const b = await backfillLoad(w, 2);
          let faultEnd = Date.now();
          for (const [victim, runs, events] of [
            [worker, 6, 1_000],
            [scheduler, 12, 2_500],
            [sidecar, 16, 5_000],
          ] as const) {
            await until(
              `progress before killing ${victim.name}`,
              async () => (await b.succeeded()) >= runs && (await s.applied()) >= events,
              180_000,
            );
            log(`kill-9: ${await b.succeeded()} runs, ${await s.applied()} events; kill -9 ${victim.name}`);
            await victim.stop('SIGKILL');
            await victim.start();
            faultEnd = Date.now();
          }
          await producing;
          return await bothCaughtUp(b, s, faultEnd, 120);
        } finally {
          await s.close();
        }
      }),
  },
  {
    name: 'two-of-each',
    fault: 'two schedulers and two sidecars at once (a worker, a backfill and a stream)',
    quick: false,
    bound_s: 60,
    run: () =>
      withWorld({}, async (w) => {
        for (const kind of ['scheduler', 'scheduler', 'worker', 'streaming', 'streaming'] as const)
          await w.role(kind).start();
        const s = await streamLoad(w);
        try {
          const producing = s.produce(10_000, 500);
          const b = await backfillLoad(w, 2);
          await producing;
          return await bothCaughtUp(b, s, Date.now(), 60);
        } finally {
          await s.close();
        }
      }),
  },
  {
    name: 'db-recreate',
    fault: 'the database dropped and re-created (migrated) under a Redis that keeps its jobs',
    quick: true,
    bound_s: 60,
    run: () =>
      withWorld({}, async (w) => {
        const [scheduler, worker] = [w.role('scheduler'), w.role('worker')];
        await scheduler.start();
        await worker.start();
        const first = await backfillLoad(w, 1);
        await until('the first backfill', first.done, 180_000);
        log(`db-recreate: first backfill done (${first.total} runs); re-creating the database`);
        await worker.stop();
        await scheduler.stop();
        await w.recreateDatabase();
        await scheduler.start();
        await worker.start();
        const faultEnd = Date.now();
        const again = await backfillLoad(w, 1);
        await caughtUp('the backfill on the new database', again.done, 60);
        return { runs: again.total, ...(await again.tally()), recovery_s: seconds(Date.now() - faultEnd) };
      }),
  },
];

/** Runs one scenario and times it; a row with its figures, whichever way it went. */
export async function runScenario(s: Scenario): Promise<ScenarioRow & { error?: string }> {
  const t0 = Date.now();
  log(`${s.name}: ${s.fault}`);
  try {
    const r = await s.run();
    return { scenario: s.name, ...r, took_s: seconds(Date.now() - t0), bound_s: s.bound_s };
  } catch (err) {
    return {
      scenario: s.name,
      lost: NaN,
      doubled: NaN,
      recovery_s: NaN,
      took_s: seconds(Date.now() - t0),
      bound_s: s.bound_s,
      error: (err as Error).message,
    };
  }
}
