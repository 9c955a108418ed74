import { FULFILMENT_METRIC_COLUMNS } from '../../inventory/fulfilment/index.js';
import { FULFILMENT_WINDOW_KINDS } from '../../streaming/index.js';

/** The component schemas of GET /api/fulfilment, from the figures of the one definition. */

const time = { type: 'string', format: 'date-time' };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** Rates (0–1) and seconds are null without anything to measure; counts are whole numbers. */
const figure = (column: string) =>
  column.endsWith('_rate') || column.endsWith('_s')
    ? { anyOf: [{ type: 'number' }, { type: 'null' }] }
    : { type: 'integer', minimum: 0 };

const figures = (extra: Record<string, unknown>, required: string[]) => ({
  type: 'object',
  required: [...required, 'warehouse_id', ...FULFILMENT_METRIC_COLUMNS],
  properties: {
    ...extra,
    warehouse_id: { type: 'string' },
    ...Object.fromEntries(FULFILMENT_METRIC_COLUMNS.map((c) => [c, figure(c)])),
  },
});

export const FULFILMENT_SCHEMAS: Record<string, unknown> = {
  FulfilmentFigures: figures({}, []),
  FulfilmentDay: figures({ as_of_date: { type: 'string', format: 'date' } }, ['as_of_date']),
  FulfilmentWindow: figures(
    {
      window_kind: { type: 'string', enum: FULFILMENT_WINDOW_KINDS.map((k) => k.kind) },
      window_start: time,
      window_end: time,
      computed_at: { ...time, description: 'when the stream last changed the row' },
    },
    ['window_kind', 'window_start', 'window_end'],
  ),
  Fulfilment: {
    type: 'object',
    required: ['from', 'to', 'warehouse_id', 'days', 'today', 'windows'],
    properties: {
      from: { type: 'string', format: 'date', description: 'first day of `days`' },
      to: { type: 'string', format: 'date', description: 'last day of `days` (today)' },
      warehouse_id: { anyOf: [{ type: 'string' }, { type: 'null' }] },
      days: {
        type: 'array',
        items: ref('FulfilmentDay'),
        description: 'as the daily ETL stored them, newest day first',
      },
      today: {
        type: 'object',
        required: ['from', 'to', 'warehouses'],
        description: 'today so far (UTC midnight to now), the definition computed at the request',
        properties: { from: time, to: time, warehouses: { type: 'array', items: ref('FulfilmentFigures') } },
      },
      windows: {
        type: 'object',
        required: ['window_kind', 'from', 'to', 'rows'],
        description: "the stream's windows of one kind started in [from, to), newest first",
        properties: {
          window_kind: { type: 'string' },
          from: time,
          to: time,
          rows: { type: 'array', items: ref('FulfilmentWindow') },
        },
      },
    },
  },
};
