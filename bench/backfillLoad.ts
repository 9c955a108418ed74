/**
 * The scheduler bench's `handoff_p99_during_backfill_ms` (issue 20): the handoff latency of five
 * production-shaped DAGs while a 10,000-run backfill of a daily 4-task chain is in full swing,
 * against the same production load measured in the same run without the backfill.
 */
import {
  advanceBackfill,
  cancelBackfill,
  defineDag,
  startBackfill,
  task,
  triggerRun,
  waitForRun,
  type Dag,
  type DagDefinition,
  type Engine,
} from '../engine/index.js';
import type { Knex } from '../platform/index.js';

type AnyTask = DagDefinition['tasks'][string];
const noop = (upstream: string[] = []) => task(async () => null, { upstream });
const dag = (id: string, tasks: Record<string, AnyTask>): Dag =>
  defineDag({ id, schedule: null, startDate: '2024-01-01T00:00:00Z', tasks });

/** The shapes of SPEC §6's five DAGs, with tasks that do nothing. */
export const PRODUCTION_DAGS: Dag[] = [
  dag('prod_daily_inventory_etl', {
    extract: noop(),
    transform: noop(['extract']),
    metrics: noop(['transform']),
    quality: noop(['extract']),
  }),
  dag('prod_hourly_transaction_aggregation', {
    aggregate: noop(),
    load: noop(['aggregate']),
    velocity: noop(['load']),
  }),
  dag('prod_low_stock_alerts', { check: noop(), notify: noop(['check']) }),
  dag('prod_weekly_summary', {
    aggregate: noop(),
    compute: noop(['aggregate']),
    build: noop(['compute']),
    send: noop(['build']),
  }),
  dag('prod_data_quality', {
    integrity: noop(),
    business_rules: noop(),
    completeness: noop(),
    freshness: noop(),
    consistency: noop(),
    report: noop(['integrity', 'business_rules', 'completeness', 'freshness', 'consistency']),
  }),
];

/** The backfilled DAG: a daily chain of four tasks, with 10,000 days to go back over. */
export const BACKFILL_DAG: Dag = defineDag({
  id: 'bench_backfill_chain',
  schedule: '0 2 * * *',
  startDate: '1990-01-01T00:00:00Z',
  tasks: { t0: noop(), t1: noop(['t0']), t2: noop(['t1']), t3: noop(['t2']) },
});

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** Upstream end → downstream start of every task with upstream tasks, in these runs (ms, sorted). */
async function handoffsOf(knex: Knex, runIds: number[]): Promise<number[]> {
  const rows: Array<{ run_id: number; dag_id: string; task_id: string; started_at: Date; ended_at: Date }> =
    await knex('orchestrator.task_instances')
      .whereIn('run_id', runIds)
      .select('run_id', 'dag_id', 'task_id', 'started_at', 'ended_at');
  const byRun = new Map<number, Map<string, (typeof rows)[number]>>();
  for (const r of rows) byRun.set(r.run_id, (byRun.get(r.run_id) ?? new Map()).set(r.task_id, r));
  const dags = new Map(PRODUCTION_DAGS.map((d) => [d.id, d]));
  const out: number[] = [];
  for (const tasks of byRun.values())
    for (const ti of tasks.values()) {
      const upstream = dags.get(ti.dag_id)!.taskById.get(ti.task_id)!.upstream;
      if (upstream.length === 0) continue;
      const ready = Math.max(...upstream.map((u) => tasks.get(u)!.ended_at.getTime()));
      out.push(ti.started_at.getTime() - ready);
    }
  return out.sort((a, b) => a - b);
}

/** `rounds` times: one run of each production DAG at once, until all five end. */
async function productionRounds(engine: Engine, rounds: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < rounds; i += 1) {
    const runs = await Promise.all(PRODUCTION_DAGS.map((d) => triggerRun(engine, d.id)));
    for (const r of runs) {
      const done = await waitForRun(engine, r.id, { pollMs: 10 });
      if (done.state !== 'success') throw new Error(`production run ${r.id} ${done.state}`);
      ids.push(r.id);
    }
  }
  return handoffsOf(engine.knex, ids);
}

export interface DuringBackfill {
  /** Production handoff p99 without and with the backfill running (ms). */
  alone: { p50: number; p99: number; samples: number };
  during: { p50: number; p99: number; samples: number };
  backfillRuns: number;
  /** Backfill runs that finished while production ran beside them. */
  backfillRunsDone: number;
  backfillRunsPerS: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Production alone, then production beside a backfill of `backfillRuns` daily runs (stepped every
 * 50 ms, as `wareflow dags backfill` does, `concurrency` runs at once), which is cancelled after.
 */
export async function measureDuringBackfill(
  engine: Engine,
  options: { rounds: number; backfillRuns: number; concurrency: number },
): Promise<DuringBackfill> {
  const summary = (h: number[]) => ({ p50: percentile(h, 50), p99: percentile(h, 99), samples: h.length });
  await productionRounds(engine, 2); // warm-up
  const alone = summary(await productionRounds(engine, options.rounds));

  const from = new Date('1995-01-01T00:00:00Z');
  const to = new Date(from.getTime() + options.backfillRuns * 86_400_000 - 1);
  const b = await startBackfill(engine, BACKFILL_DAG.id, { from, to, concurrency: options.concurrency });
  let stepping = true;
  let done = 0;
  const stepper = (async () => {
    while (stepping) {
      done = (await advanceBackfill(engine, BACKFILL_DAG, b.id)).done;
      await sleep(50);
    }
  })();
  // In full swing: its first runs have gone through before production starts beside it.
  while (done < options.concurrency * 2) await sleep(20);
  const t0 = performance.now();
  const doneBefore = done;
  const during = summary(await productionRounds(engine, options.rounds));
  const seconds = (performance.now() - t0) / 1000;
  const doneDuring = done - doneBefore;
  stepping = false;
  await stepper;
  // Its runs at work finish on their own (no-op tasks); no new one starts.
  await cancelBackfill(engine, b.id, { by: 'bench' });
  return {
    alone,
    during,
    backfillRuns: b.total,
    backfillRunsDone: doneDuring,
    backfillRunsPerS: doneDuring / seconds,
  };
}
