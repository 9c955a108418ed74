import type { Command } from 'commander';
import { audited, cliActor, listPools, setPoolSlots, type PoolRow } from '../../engine/index.js';
import { UsageError } from '../errors.js';
import { withEngine } from '../registry.js';
import { iso, printJson, printTable, wholeNumber } from './arguments.js';

const MAX_SLOTS = 1_000_000;

/** SLOTS: a whole number of slots, or `unlimited` (also `none`) for no limit. */
export function parseSlots(value: string): number | null {
  if (/^(unlimited|none)$/i.test(value.trim())) return null;
  try {
    return wholeNumber('SLOTS', 0, MAX_SLOTS)(value);
  } catch {
    throw new UsageError(`SLOTS must be a whole number from 0 to ${MAX_SLOTS}, or unlimited (got ${value})`);
  }
}

const json = (p: PoolRow) => ({ ...p, updated_at: iso(p.updated_at) });

/** `wareflow pools list [--json]`, `wareflow pools set NAME SLOTS [--description TEXT] [--json]`. */
export function registerPoolsCommands(program: Command): void {
  const pools = program.command('pools').description('pools: slots that bound what runs at once');

  pools
    .command('list')
    .description('every pool with its slots, the slots held, and its queued and scheduled task instances')
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }) => {
      await withEngine(async ({ engine }) => {
        const rows = await listPools(engine);
        if (opts.json) return printJson(rows.map(json));
        printTable(
          ['pool', 'slots', 'occupied', 'running', 'queued', 'scheduled', 'description'],
          rows.map((p) => [
            p.name,
            p.slots ?? 'unlimited',
            p.occupied_slots,
            p.running,
            p.queued,
            p.scheduled,
            p.description,
          ]),
        );
      });
    });

  pools
    .command('set')
    .description(
      'set the slots of a pool (unlimited: no limit; 0: nothing starts); running tasks are never stopped',
    )
    .argument('<name>', 'pool name (one a DAG names, or one set before)')
    .argument('<slots>', 'whole number of slots, or unlimited', parseSlots)
    .option('--description <text>', 'what the pool is for')
    .option('--json', 'print one JSON document')
    .action(async (name: string, slots: number | null, opts: { description?: string; json?: boolean }) => {
      await withEngine(async ({ engine }) => {
        const actor = cliActor();
        const change = await audited(
          engine,
          { ...actor, action: 'pool.set', detail: { pool: name, slots } },
          () =>
            setPoolSlots(engine, name, slots, {
              by: actor.actor,
              ...(opts.description !== undefined ? { description: opts.description } : {}),
            }),
          (c) => ({ detail: { previous: c.previous, granted: c.granted } }),
        );
        if (opts.json)
          return printJson({ ...json(change.pool), previous: change.previous, granted: change.granted });
        const show = (s: number | null) => (s === null ? 'unlimited' : String(s));
        console.log(
          `pool ${name}: ${show(change.previous)} → ${show(slots)} slots` +
            ` (${change.pool.occupied_slots} held, ${change.pool.scheduled} waiting, ${change.granted} granted now)`,
        );
      });
    });
}
