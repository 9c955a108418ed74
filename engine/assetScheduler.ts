import type { Knex } from '../platform/index.js';
import {
  assetTriggeredDags,
  lockDag,
  presentPartitions,
  recordAssetTriggers,
  scheduleCursor,
  unconsumedAssetEvents,
  type AssetDeclaration,
  type QueuedTry,
} from './store/index.js';
import { partitionsCovering } from './assets.js';
import type { Dag } from './dag.js';
import type { DataInterval } from './schedule.js';
import { createRunInTx } from './transitions.js';

/**
 * Asset scheduling, the scheduler's part (README "Assets and asset-triggered DAGs"):
 * - `onAssets`: once every listed asset has an event the DAG has not consumed, one
 *   `asset_triggered` run is created for all of them (a batch: two partitions landing at once, or
 *   while a run is still going, make one run that sees both). Its logical date is the time of the
 *   newest event of the batch, its data interval spans the intervals of the runs that wrote them.
 * - `waitForAssets`: a cron run is created only once every partition its interval covers exists.
 */

/** What the DAGs declare about assets, for `syncAssets`. */
export function assetDeclarations(dags: Iterable<Dag>): AssetDeclaration[] {
  const out: AssetDeclaration[] = [];
  const add = (
    a: { key: string; partition: string | null; description?: string },
    dagId: string,
    taskId: string,
    role: AssetDeclaration['role'],
  ) =>
    out.push({
      assetKey: a.key,
      partitioning: a.partition,
      description: a.description ?? null,
      dagId,
      taskId,
      role,
    });
  for (const dag of dags) {
    for (const a of dag.onAssets) add(a, dag.id, '', 'on_assets');
    for (const a of dag.waitForAssets) add(a, dag.id, '', 'wait_for');
    for (const t of dag.tasks) {
      for (const o of t.outlets) add(o.asset, dag.id, t.id, 'outlet');
      for (const a of t.inlets) add(a, dag.id, t.id, 'inlet');
    }
  }
  return out;
}

/**
 * The due cron intervals of a DAG that may start: all of them without `waitForAssets`, else those
 * up to the first whose covered partitions are not all there (one query; runs stay in order, as
 * the cron cursor needs).
 */
export async function readyIntervals(
  trx: Knex.Transaction,
  dag: Dag,
  candidates: DataInterval[],
): Promise<DataInterval[]> {
  if (dag.waitForAssets.length === 0 || candidates.length === 0) return candidates;
  const needs = candidates.map((interval) =>
    dag.waitForAssets.flatMap((a) =>
      partitionsCovering(a.partition, interval).map((p) => ({ assetKey: a.key, partitionKey: p })),
    ),
  );
  const present = await presentPartitions(trx, needs.flat());
  const firstMissing = needs.findIndex((n) => n.some((w) => !present.has(`${w.assetKey}/${w.partitionKey}`)));
  return firstMissing < 0 ? candidates : candidates.slice(0, firstMissing);
}

export interface AssetRunCreated {
  dagId: string;
  runId: number;
  logicalDate: Date;
  events: number;
  queued: QueuedTry[];
}

/**
 * Creates the asset-triggered runs that are due, for the DAGs given (unpaused, with `onAssets`):
 * one query finds the DAGs whose condition holds; each of those is then read again and its run
 * created under the DAG's lock, with the events it consumes, in one transaction. The
 * (dag_id, event_id) key of `asset_triggers` and the (dag_id, logical_date) key of `dag_runs` keep
 * it exactly-once however many schedulers race. A DAG at `maxActiveRuns` waits: its events
 * accumulate, and the next run takes them all.
 */
export async function createAssetTriggeredRuns(knex: Knex, dags: Dag[]): Promise<AssetRunCreated[]> {
  const consumers = dags.filter((d) => d.onAssets.length > 0);
  if (consumers.length === 0) return [];
  const due = await assetTriggeredDags(
    knex,
    consumers.map((d) => ({ dagId: d.id, assetKeys: d.onAssets.map((a) => a.key), notBefore: d.startDate })),
  );
  const out: AssetRunCreated[] = [];
  for (const dagId of due) {
    const dag = consumers.find((d) => d.id === dagId)!;
    const created = await knex.transaction(async (trx) => {
      await lockDag(trx, dag.id);
      const cursor = await scheduleCursor(trx, dag.id);
      if (cursor.paused || cursor.active >= dag.maxActiveRuns) return undefined;
      const keys = dag.onAssets.map((a) => a.key);
      const events = await unconsumedAssetEvents(trx, dag.id, keys, dag.startDate);
      if (!keys.every((k) => events.some((e) => e.asset_key === k))) return undefined;
      const at = (d: Date | null, fallback: Date) => (d ?? fallback).getTime();
      const logicalDate = new Date(Math.max(...events.map((e) => e.created_at.getTime())));
      const start = new Date(Math.min(...events.map((e) => at(e.source_start, e.created_at))));
      const end = new Date(Math.max(...events.map((e) => at(e.source_end, e.created_at))));
      const run = await createRunInTx(trx, dag, {
        runType: 'asset_triggered',
        logicalDate,
        dataIntervalStart: start,
        dataIntervalEnd: end < start ? start : end,
        conf: {},
      });
      if (!run) return undefined;
      await recordAssetTriggers(
        trx,
        dag.id,
        run.runId,
        events.map((e) => e.id),
      );
      return { dagId: dag.id, runId: run.runId, logicalDate, events: events.length, queued: run.queued };
    });
    if (created) out.push(created);
  }
  return out;
}
