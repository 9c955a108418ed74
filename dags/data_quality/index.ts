import { z } from 'zod';
import { defineDag, task, type TaskContext } from '../../engine/index.js';
import { checkRuleGroup, reportQuality, type CheckScope } from './tasks.js';
import { inventoryServices } from '../services.js';

const DAG_ID = 'data_quality';

const params = z.object({
  /** stale_data fails after this many minutes without a transaction while a warehouse is open. @defaultValue 180 */
  staleAfterMinutes: z.number().int().positive().default(180),
  /** ingestion_gap: least opening hours a warehouse is silent. @defaultValue 2 */
  gapOpenHours: z.number().positive().default(2),
  /** ingestion_gap: least events the warehouse's rate of the week before would have brought meanwhile. @defaultValue 20 */
  gapExpectedEvents: z.number().positive().default(20),
});

/** The check run of a DAG run: keyed by its interval, so a rerun replaces its own results. */
const scopeOf = (ctx: Pick<TaskContext, 'dataIntervalStart' | 'dataIntervalEnd'>): CheckScope => ({
  dagId: DAG_ID,
  checkRunKey: `${DAG_ID}:${ctx.dataIntervalStart.toISOString()}`,
  start: ctx.dataIntervalStart,
  end: ctx.dataIntervalEnd,
});

const group = (name: Parameters<typeof checkRuleGroup>[2], description: string) =>
  task((ctx) => checkRuleGroup(ctx.db, ctx.log, name, scopeOf(ctx), ctx.params), { params, description });

const integrity = group('integrity', 'Duplicate, invalid and orphan transactions');
const business_rules = group(
  'business_rules',
  'Negative on-hand, reserved or reorder point; reserved > on-hand',
);
const completeness = group('completeness', 'Missing product, warehouse or stock-level data');
const freshness = group('freshness', 'Stale data and ingestion gaps');
const consistency = group(
  'consistency',
  'On-hand vs ledger, future and out-of-order timestamps, order lines vs reservations',
);

/** Every 30 minutes: every SPEC §6 rule, stored per rule; a 0–100 score; alerts on new failures. */
export const dataQuality = defineDag({
  id: DAG_ID,
  schedule: '*/30 * * * *',
  timezone: 'UTC',
  startDate: '2026-01-01T00:00:00Z',
  catchup: false,
  maxActiveRuns: 1,
  params,
  description: 'Data-quality rules per group, a 0–100 score, and an alert when a rule newly fails',
  tags: ['inventory', 'quality'],
  defaultTaskOptions: { retries: 2, retryDelayMs: 5_000, timeoutMs: 10 * 60_000 },
  tasks: {
    integrity,
    business_rules,
    completeness,
    freshness,
    consistency,
    report: task((ctx) => reportQuality(ctx.db, ctx.log, inventoryServices(ctx.services), scopeOf(ctx)), {
      upstream: { integrity, business_rules, completeness, freshness, consistency },
      description: 'Score, newly failing rules, alert e-mail',
    }),
  },
});

/** The reads behind the dashboard's data-quality pages, and the rule groups they filter by. */
export { RULE_GROUPS, type RuleGroup } from './store/index.js';
export {
  listDataQualityResults,
  listDataQualityRuns,
  type DataQualityFilter,
  type DataQualityResultRow,
  type DataQualityRunRow,
} from './store/listDataQualityResults.js';
