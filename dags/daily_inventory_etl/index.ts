import { defineDag, task } from '../../engine/index.js';
import { utcDay } from '../interval.js';
import { inventoryServices } from '../services.js';
import { aggregatedMetrics, dailySnapshots, processedMetrics } from '../assets.js';
import {
  dataQualityCheck,
  extractInventoryData,
  generateAggregatedMetrics,
  listWarehouses,
  transformAndLoad,
  transformWarehouse,
} from './tasks.js';
import { loadFulfilmentMetrics } from './fulfilment.js';

const DAG_ID = 'daily_inventory_etl';

/** Day D of a run: the UTC day its data interval starts on (interval [D 02:00, D+1 02:00)). */
const dayOf = (ctx: { dataIntervalStart: Date }) => utcDay(ctx.dataIntervalStart);

const extract_inventory_data = task((ctx) => extractInventoryData(ctx.db, ctx.log, dayOf(ctx)), {
  description: 'End-of-day stock of every pair on day D (daily_inventory_snapshots)',
  outlets: [{ asset: dailySnapshots, rowsFrom: 'pairs' }],
});

const list_warehouses = task((ctx) => listWarehouses(ctx.db, ctx.log, dayOf(ctx)), {
  upstream: { extract_inventory_data },
  description: 'The warehouses of day D: one transform each',
});

const transform_warehouse = task((ctx) => transformWarehouse(ctx.db, ctx.log, dayOf(ctx), ctx.mapItem), {
  upstream: { list_warehouses },
  mapOver: 'list_warehouses',
  description: 'processed_metrics and demand forecasts of one warehouse (one instance per warehouse)',
  inlets: [dailySnapshots],
});

/**
 * Nightly analytics (SPEC §6): snapshots, processed_metrics and demand forecasts for
 * as_of_date = D (one transform per warehouse, side by side), the roll-up, the Parquet archive,
 * the Redis cache, a data-quality gate, and the day's fulfilment metrics per warehouse.
 */
export const dailyInventoryEtl = defineDag({
  id: DAG_ID,
  schedule: '0 2 * * *',
  timezone: 'UTC',
  startDate: '2026-01-01T00:00:00Z',
  catchup: false,
  maxActiveRuns: 4,
  description:
    'Nightly snapshots, SPEC §5 metrics, roll-up, Parquet archive, Redis cache and data-quality gate',
  tags: ['inventory', 'analytics'],
  defaultTaskOptions: { retries: 2, retryDelayMs: 5_000, timeoutMs: 30 * 60_000 },
  tasks: {
    extract_inventory_data,
    list_warehouses,
    transform_warehouse,
    transform_and_load: task(
      (ctx) =>
        transformAndLoad(
          ctx.db,
          ctx.log,
          inventoryServices(ctx.services),
          dayOf(ctx),
          ctx.upstream.transform_warehouse,
        ),
      {
        upstream: { transform_warehouse },
        description: 'The day over every warehouse: Parquet archive, Redis cache',
        outlets: [{ asset: processedMetrics, rowsFrom: 'pairs' }],
      },
    ),
    generate_aggregated_metrics: task((ctx) => generateAggregatedMetrics(ctx.db, ctx.log, dayOf(ctx)), {
      upstream: ['transform_and_load'],
      description: 'Roll-up per warehouse, category and total',
      inlets: [processedMetrics],
      outlets: [{ asset: aggregatedMetrics, rowsFrom: 'rows' }],
    }),
    load_fulfilment_metrics: task((ctx) => loadFulfilmentMetrics(ctx.db, ctx.log, dayOf(ctx)), {
      description: 'Fulfilment metrics per warehouse for day D (daily_fulfilment_metrics)',
    }),
    data_quality_check: task((ctx) => dataQualityCheck(ctx.db, ctx.log, DAG_ID, dayOf(ctx)), {
      upstream: { extract_inventory_data },
      retries: 0,
      description: 'Integrity gate over day D; business-rule failures are reported',
    }),
  },
});
