import type { Command } from 'commander';
import { listAssets } from '../../engine/index.js';
import { withEngine } from '../registry.js';
import { iso, printJson, printTable } from './arguments.js';

/** `wareflow assets list [--json]`: the assets the DAGs declare (as the scheduler last synced them). */
export function registerAssetsCommands(program: Command): void {
  const assets = program.command('assets').description('assets the DAGs write and read');
  assets
    .command('list')
    .description('every asset with its writers, readers, newest partition and last write')
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }) => {
      await withEngine(async ({ engine }) => {
        const rows = await listAssets(engine);
        if (opts.json) return printJson(rows);
        const dags = (r: (typeof rows)[number], outlet: boolean) =>
          [
            ...new Set(r.declarations.filter((d) => (d.role === 'outlet') === outlet).map((d) => d.dag_id)),
          ].join(',') || '-';
        printTable(
          ['asset', 'partitions', 'written_by', 'read_by', 'newest_partition', 'last_written', 'at'],
          rows.map((r) => [
            r.asset_key,
            `${r.partitioning ?? 'whole'}:${r.partition_count}`,
            dags(r, true),
            dags(r, false),
            r.newest_partition ?? '-',
            r.latest_partition || '-',
            iso(r.latest_event_at),
          ]),
        );
      });
    });
}
