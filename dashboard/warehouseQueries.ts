import { z } from 'zod';
import { FULFILMENT_WINDOW_KINDS } from '../streaming/index.js';
import { codeSchema as code, optionalCode, pagination, printable } from './validation.js';

/**
 * Schemas of the stock, pair, reorder and weekly-report requests. Unknown query parameters are
 * refused (a misspelt filter would otherwise silently show everything); pages drop their own
 * `flash` before parsing (see `pageQuery`).
 */

const optionalText = printable(100)
  .transform((v) => v.trim() || undefined)
  .optional();
const flag = z
  .enum(['true', 'false', ''], { error: "must be 'true' or 'false'" })
  .transform((v) => (v === '' ? undefined : v === 'true'))
  .optional();

export const stockQuery = z.strictObject({
  ...pagination.shape,
  warehouse_id: optionalCode,
  category: optionalText,
  /** Part of a SKU or product name. */
  q: optionalText,
  below_reorder_point: flag,
});

export const pairParams = z.object({ warehouseId: code, sku: code });

/** History length of the pair chart, in days. */
export const pairQuery = z.strictObject({
  days: z.coerce.number({ error: 'days must be a number' }).int().min(7).max(366).default(90),
});

export const reordersQuery = z.strictObject({
  ...pagination.shape,
  warehouse_id: optionalCode,
  sku: optionalCode,
  /** Every recommendation, not only each pair's newest. */
  history: flag,
});

export const weeksQuery = z.strictObject({ ...pagination.shape });

const FULFILMENT_WINDOW_KIND_NAMES = FULFILMENT_WINDOW_KINDS.map((k) => k.kind) as [
  (typeof FULFILMENT_WINDOW_KINDS)[number]['kind'],
  ...(typeof FULFILMENT_WINDOW_KINDS)[number]['kind'][],
];

/**
 * The fulfilment page and API: the daily rows of the last `days` UTC days (today included), and
 * the stream's windows of one kind that started in the last `hours`; one warehouse or all.
 */
export const fulfilmentQuery = z.strictObject({
  days: z.coerce.number({ error: 'days must be a number' }).int().min(1).max(366).default(14),
  warehouse_id: optionalCode,
  window_kind: z.enum(FULFILMENT_WINDOW_KIND_NAMES).default('tumbling_1h'),
  hours: z.coerce.number({ error: 'hours must be a number' }).int().min(1).max(168).default(24),
});

/** The days a fulfilment request covers: the last `days` UTC days, today included. */
export function fulfilmentDays(q: { days: number }, now = Date.now()): { fromDay: string; toDay: string } {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { fromDay: day(now - (q.days - 1) * 86_400_000), toDay: day(now) };
}

/**
 * The live part of a fulfilment request: today so far (UTC midnight to now), and the windows of
 * `window_kind` that started from the one holding `now − hours` up to now (the current one, still
 * filling, included).
 */
export function fulfilmentLive(
  q: { window_kind: string; hours: number },
  now = Date.now(),
): { today: { from: Date; to: Date }; windows: { windowKind: string; from: Date; to: Date } } {
  const size = FULFILMENT_WINDOW_KINDS.find((k) => k.kind === q.window_kind)?.sizeMs ?? 3_600_000;
  return {
    today: { from: new Date(Math.floor(now / 86_400_000) * 86_400_000), to: new Date(now) },
    windows: {
      windowKind: q.window_kind,
      from: new Date(Math.floor((now - q.hours * 3_600_000) / size) * size),
      to: new Date(now),
    },
  };
}

export const weekParams = z.object({
  weekStart: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date YYYY-MM-DD' })
    .refine(
      (v) =>
        !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
      {
        error: 'must be a real calendar date',
      },
    )
    .refine((v) => new Date(`${v}T00:00:00Z`).getUTCDay() === 1, { error: 'a week starts on a Monday' }),
});

/** A page's query without the one-time `flash` message the layout shows. */
export function pageQuery(query: unknown): Record<string, unknown> {
  const { flash: _flash, ...rest } = (query ?? {}) as Record<string, unknown>;
  return rest;
}
