/**
 * `npm run bench -- scaleout [--sidecars 1,2,4] [--workers 1,2,4] [--events N] [--runs N] [--concurrency N]`
 *
 * The sidecar and the workers in several processes on one PostgreSQL, Redis and Kafka:
 * 1. Sidecars: N generated events (default 300,000) in a 6-partition topic; at each count, the
 *    bare pipeline drains them into a fresh database (the limit), then that many `wareflow
 *    streaming` processes in one consumer group drain them into another (scaleOutSidecars.ts).
 *    events_per_s_sidecars_K = events / (members woken → last event committed).
 * 2. Workers: at each count, the scheduler bench's throughput phase (runs of its 20-task wide
 *    DAG) with that many worker processes; limit: bare BullMQ with as many workers
 *    (scaleOutWorkers.ts).
 * Each phase also reports where the machine's CPU went, by role (roleCpu.ts): the processes
 * scaled, PostgreSQL's backends of the phase's database, PostgreSQL's shared processes, Kafka,
 * Redis, this bench, anything else on the machine, and idle. From PostgreSQL's CPU per event or
 * task follows what one core of it can serve: the rate at which a single PostgreSQL binds.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { createIdempotentProducer, createKnex, loadConfig, topicNames } from '../platform/index.js';
import { migrateLatest } from '../db/index.js';
import { liveEvents, toKafkaMessage } from '../inventory/generator/index.js';
import { ensureBenchTopics } from './topics.js';
import { seedBusyCatalogue } from './streamingSupport.js';
import { printReport, result, type BenchResult } from './report.js';
import { shareOfMachine, type PhaseCpu } from './roleCpu.js';
import { BenchDatabases } from './scaleOutServices.js';
import { measureSidecars, type SidecarCount } from './scaleOutSidecars.js';
import { checkConnections, measureWorkers, type WorkerCount } from './scaleOutWorkers.js';

export interface ScaleOutOptions {
  /** Sidecar process counts, increasing; empty to skip the phase. */
  sidecars: number[];
  /** Worker process counts, increasing; empty to skip the phase. */
  workers: number[];
  /** Events each sidecar count drains. */
  events: number;
  /** Runs of the 20-task wide DAG at each worker count. */
  runs: number;
  /** Tries at once per worker. */
  concurrency: number;
}

const log = (msg: string) => process.stderr.write(`[bench scaleout] ${msg}\n`);
const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

export async function run(options: ScaleOutOptions): Promise<void> {
  const base = loadConfig();
  const token = randomBytes(4).toString('hex');
  const name = `wareflow_bench_scaleout_${token}`;
  const config = loadConfig({
    ...process.env,
    KAFKA_TOPIC_SUFFIX: `.bench-${token}`,
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'wareflow-bench-')),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  const topics = topicNames(config);
  const databases = new BenchDatabases(base.DATABASE_URL);
  const kafka = new Kafka({ clientId: 'bench', brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING });
  let admin: Admin | undefined;
  let producer: Producer | undefined;
  const sidecarRows: SidecarCount[] = [];
  const workerRows: WorkerCount[] = [];
  console.log(
    `bench scaleout: ${os.cpus().length} cores, load average ${loadAverage()} at the start; ` +
      `PostgreSQL ${redactedHost(base.DATABASE_URL)}, Redis ${redactedHost(base.REDIS_URL)}, Kafka ${config.KAFKA_BROKERS.join(',')}; ` +
      `databases ${name}_*, topics *${config.KAFKA_TOPIC_SUFFIX}`,
  );
  try {
    if (options.workers.length > 0) await checkConnections(databases, options.workers.at(-1)!);
    // A migrated template: every phase gets a fresh copy of it.
    const template = `${name}_tmpl`;
    const templateKnex = createKnex(await databases.create(template), { poolMax: 1 });
    try {
      await migrateLatest(templateKnex);
    } finally {
      await templateKnex.destroy();
    }

    if (options.sidecars.length > 0) {
      const streamTemplate = `${name}_tmpl_stream`;
      const knex = createKnex(await databases.create(streamTemplate, template), { poolMax: 1 });
      const { master, levels } = await seedBusyCatalogue(knex, { skus: 200, warehouses: 5 }).finally(() =>
        knex.destroy(),
      );
      admin = kafka.admin();
      await admin.connect();
      await ensureBenchTopics(kafka, topics);
      producer = await createIdempotentProducer(kafka);
      const traffic = liveEvents({
        master,
        levels,
        seed: 7,
        start: Date.now() - 30 * 60_000,
        rate: options.events / 1_800,
      });
      for (let sent = 0; sent < options.events;) {
        const n = Math.min(2_000, options.events - sent);
        const messages = Array.from({ length: n }, () => toKafkaMessage(traffic.next().value));
        await producer.send({ topic: topics.events, messages });
        sent += n;
      }
      log(`produced ${options.events} events`);
      const stage = {
        config,
        kafka,
        admin,
        producer,
        topics,
        traffic,
        databases,
        template: streamTemplate,
        name,
        log,
      };
      for (const n of options.sidecars) sidecarRows.push(await measureSidecars(stage, n));
    }

    const workerStage = {
      config,
      databases,
      template,
      name,
      runs: options.runs,
      concurrency: options.concurrency,
      log,
    };
    for (const n of options.workers) workerRows.push(await measureWorkers(workerStage, n));

    report(options, sidecarRows, workerRows);
  } finally {
    await producer?.disconnect().catch(() => undefined);
    if (admin) {
      await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    }
    await databases.close();
  }
}

function redactedHost(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port}`;
}

const ROLES = ['pg', 'pg-shared', 'kafka', 'redis', 'bench'] as const;

function pct(seconds: number | undefined, cpu: PhaseCpu): string {
  const p = shareOfMachine(seconds, cpu);
  return p === undefined ? '–' : p.toFixed(0);
}

/** PostgreSQL's CPU (its backends of the phase's database and its shared processes), µs per item. */
function pgUsPer(cpu: PhaseCpu, items: number): number | undefined {
  const db = cpu.roles.pg;
  return db === undefined ? undefined : ((db + (cpu.roles['pg-shared'] ?? 0)) * 1e6) / items;
}

const whole = (x: number | undefined) => (x === undefined ? '–' : Math.round(x).toLocaleString('en'));

function printTable(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  console.log(`\n${title}`);
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

/** One phase's row: a process count, its rate against its limit, CPU per item, CPU shares. */
interface PhaseRow {
  processes: number;
  items: number;
  rate: number;
  limit: number;
  cpu: PhaseCpu;
  load: number;
}

/**
 * Prints a phase's table: per count, the rate, its limit and their ratio; the CPU per item of the
 * processes scaled (`app`) and of PostgreSQL, and what one core of PostgreSQL serves at that
 * cost; then every role's share of the machine and the load average.
 */
function printPhase(title: string, app: string, unit: string, limit: string, rows: PhaseRow[]): void {
  const us = (seconds: number | undefined, items: number) =>
    seconds === undefined ? undefined : (seconds * 1e6) / items;
  const fixed = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(x < 100 ? 1 : 0));
  printTable(
    title,
    [
      app,
      `${unit}s/s`,
      limit,
      'ratio',
      `${app}-µs/${unit}`,
      `PG-µs/${unit}`,
      'per-PG-core',
      `${app}%`,
      ...ROLES.map((r) => `${r}%`),
      'other%',
      'idle%',
      'load',
    ],
    rows.map((r) => {
      const pg = pgUsPer(r.cpu, r.items);
      return [
        String(r.processes),
        whole(r.rate),
        whole(r.limit),
        (r.rate / r.limit).toFixed(2),
        fixed(us(r.cpu.roles[app], r.items)),
        fixed(pg),
        whole(pg && 1e6 / pg),
        pct(r.cpu.roles[app], r.cpu),
        ...ROLES.map((role) => pct(r.cpu.roles[role], r.cpu)),
        pct(r.cpu.other, r.cpu),
        pct(r.cpu.idle, r.cpu),
        r.load.toFixed(2),
      ];
    }),
  );
}

function report(options: ScaleOutOptions, sidecars: SidecarCount[], workers: WorkerCount[]): void {
  const cores = os.cpus().length;
  const results: BenchResult[] = [];
  const notes: string[] = [];
  if (sidecars.length > 0) {
    printPhase(
      `sidecars: ${sidecars[0]!.events.toLocaleString('en')}+ events, 6 partitions; CPU as % of ${cores} cores over the phase`,
      'sidecars',
      'event',
      'bare-pipeline',
      sidecars.map((s) => ({ ...s, items: s.events, rate: s.eventsPerS, limit: s.bare.eventsPerS })),
    );
    for (const s of sidecars) {
      results.push(
        result(`events_per_s_sidecars_${s.processes}`, s.eventsPerS, 'events/s', s.bare.eventsPerS),
      );
      const db = s.cpu.roles.pg;
      results.push(
        result(
          `pg_cpu_us_per_event_sidecars_${s.processes}`,
          db === undefined ? NaN : (db * 1e6) / s.events,
          'µs',
          s.bare.pgUsPerEvent ?? NaN,
        ),
      );
    }
    notes.push(
      "events_per_s_sidecars_K: K sidecar processes in one group drain the topic into a fresh database, from the moment all K may work to the last commit; limit = the bare pipeline (kafkajs → COPY into a ledger migrated like the sidecar's + offsets) over the same topic just before",
      "pg_cpu_us_per_event_sidecars_K: CPU of PostgreSQL's backends of that database per event; limit = the bare pipeline's backends per event (the least PostgreSQL work an event can cost)",
    );
  }
  if (workers.length > 0) {
    printPhase(
      `workers: ${options.runs} runs of a 20-task DAG at once, ${options.concurrency} tries per worker; CPU as % of ${cores} cores over the phase`,
      'workers',
      'task',
      'bare-BullMQ',
      workers.map((w) => ({ ...w, items: w.instances, rate: w.instancesPerS, limit: w.bareJobsPerS })),
    );
    for (const w of workers)
      results.push(
        result(`task_instances_per_s_workers_${w.processes}`, w.instancesPerS, 'tasks/s', w.bareJobsPerS),
      );
    notes.push(
      `task_instances_per_s_workers_K: the scheduler bench's throughput phase with K worker processes × ${options.concurrency}; limit = bare BullMQ (same Redis, K workers × ${options.concurrency}, no PostgreSQL)`,
    );
  }
  notes.push(
    "CPU columns: pg = PostgreSQL's backends of the phase's database; pg-shared = its postmaster, WAL writer, checkpointer and background writer; pg-shared, kafka and redis serve everything else on this machine too; bench = this process; other = the machine's busy CPU minus every role (other work on it); idle = what nobody used",
    'sidecars-µs/event, workers-µs/task: CPU of the processes scaled per event or task; PG-µs/event (or /task) = (pg + pg-shared) per event or task; per-PG-core = 1,000,000 / that: what one core of PostgreSQL serves, the rate at which a single PostgreSQL binds once the Node processes have machines of their own',
    `load average at the end: ${loadAverage()}`,
  );
  printReport('scaleout', results, notes);
}
