import type { Knex } from 'knex';
import type { Logger } from '../../platform/index.js';
import { loadProducts, loadWarehouses, type ProductRow, type WarehouseRow } from '../store/index.js';

export type Shift = 'morning' | 'afternoon' | 'night';

/** Product and warehouse context of one event, as the detectors and alerts see it. */
export interface EventContext {
  product: ProductRow;
  warehouse: WarehouseRow;
  /** Warehouse local time of the event, 'HH:MM'. */
  localTime: string;
  /** Warehouse local day of week, 0 = Sunday. */
  localDayOfWeek: number;
  shift: Shift;
  isWeekend: boolean;
  /** Local time within [business_hours_start, business_hours_end). */
  inBusinessHours: boolean;
}

/** The warehouse-local fields of one UTC minute (all of them are whole-minute figures). */
interface LocalMinute extends Omit<EventContext, 'product' | 'warehouse'> {
  /** UTC minute since the epoch. */
  minute: number;
}

export interface MasterDataOptions {
  /** How often the whole cache is reloaded. @defaultValue 60000 */
  refreshMs?: number;
}

/**
 * Products and warehouses cached in memory, reloaded periodically, and looked up again in
 * PostgreSQL before an id is declared unknown, so master data added a moment ago is never a
 * reason to dead-letter an event.
 */
export class MasterData {
  private products = new Map<string, ProductRow>();
  private warehouses = new Map<string, WarehouseRow>();
  private timer: NodeJS.Timeout | undefined;
  private readonly offsets = new Map<string, number>();
  private readonly formats = new Map<string, Intl.DateTimeFormat>();
  /** Last local minute per warehouse row (a reload brings new rows, so nothing stale survives it). */
  private readonly minutes = new WeakMap<WarehouseRow, LocalMinute>();

  constructor(
    private readonly db: Knex,
    private readonly logger: Logger,
    private readonly options: MasterDataOptions = {},
  ) {}

  async start(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => {
      this.reload().catch((err: unknown) =>
        this.logger.warn({ err }, 'master data refresh failed; keeping the cache'),
      );
    }, this.options.refreshMs ?? 60_000);
    this.timer.unref();
  }

  async reload(): Promise<void> {
    const [products, warehouses] = await Promise.all([loadProducts(this.db), loadWarehouses(this.db)]);
    this.products = new Map(products.map((p) => [p.sku, p]));
    this.warehouses = new Map(warehouses.map((w) => [w.warehouseId, w]));
    this.logger.debug({ products: products.length, warehouses: warehouses.length }, 'master data loaded');
  }

  product(sku: string): ProductRow | undefined {
    return this.products.get(sku);
  }

  warehouse(id: string): WarehouseRow | undefined {
    return this.warehouses.get(id);
  }

  /** Looks up ids missing from the cache in PostgreSQL (one query per kind) and caches what it finds. */
  async resolveMissing(skus: Iterable<string>, warehouseIds: Iterable<string>): Promise<void> {
    const missingSkus = [...new Set(skus)].filter((s) => !this.products.has(s));
    const missingWarehouses = [...new Set(warehouseIds)].filter((w) => !this.warehouses.has(w));
    if (missingSkus.length === 0 && missingWarehouses.length === 0) return;
    const [products, warehouses] = await Promise.all([
      missingSkus.length ? loadProducts(this.db, missingSkus) : [],
      missingWarehouses.length ? loadWarehouses(this.db, missingWarehouses) : [],
    ]);
    for (const p of products) this.products.set(p.sku, p);
    for (const w of warehouses) this.warehouses.set(w.warehouseId, w);
  }

  /** The context of an event whose SKU and warehouse are known. */
  context(sku: string, warehouseId: string, occurredAt: Date): EventContext | undefined {
    const product = this.products.get(sku);
    const warehouse = this.warehouses.get(warehouseId);
    if (!product || !warehouse) return undefined;
    const local = this.localMinute(warehouse, occurredAt.getTime());
    return {
      product,
      warehouse,
      localTime: local.localTime,
      localDayOfWeek: local.localDayOfWeek,
      shift: local.shift,
      isWeekend: local.isWeekend,
      inBusinessHours: local.inBusinessHours,
    };
  }

  /**
   * The warehouse-local fields of a UTC minute. Events of a warehouse arrive minute after minute,
   * so the last minute is kept per warehouse and only a new minute is worked out (with its
   * 'HH:MM' string): that was a Map lookup under a fresh string key and a new string per event.
   */
  private localMinute(warehouse: WarehouseRow, at: number): LocalMinute {
    const minute = Math.floor(at / 60_000);
    const cached = this.minutes.get(warehouse);
    if (cached?.minute === minute) return cached;
    const local = new Date(minute * 60_000 + this.utcOffsetMs(warehouse.timezone, at));
    const hour = local.getUTCHours();
    const minuteOfDay = hour * 60 + local.getUTCMinutes();
    const day = local.getUTCDay();
    const isWeekend = day === 0 || day === 6;
    const workday = !isWeekend || warehouse.weekendOperation;
    const fields: LocalMinute = {
      minute,
      localTime: `${String(hour).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`,
      localDayOfWeek: day,
      shift: hour >= 6 && hour < 14 ? 'morning' : hour >= 14 && hour < 22 ? 'afternoon' : 'night',
      isWeekend,
      inBusinessHours: workday && minuteOfDay >= warehouse.openMinute && minuteOfDay < warehouse.closeMinute,
    };
    this.minutes.set(warehouse, fields);
    return fields;
  }

  /**
   * Offset of a time zone from UTC at an instant. Intl formatting is slow, and offsets only change
   * on (quarter-)hour boundaries, so one lookup per zone and UTC quarter-hour is cached.
   */
  private utcOffsetMs(timeZone: string, at: number): number {
    const bucket = Math.floor(at / 900_000);
    const key = `${timeZone}|${bucket}`;
    let offset = this.offsets.get(key);
    if (offset !== undefined) return offset;
    let format = this.formats.get(timeZone);
    if (!format) {
      try {
        format = new Intl.DateTimeFormat('en-US', {
          timeZone,
          hourCycle: 'h23',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
        });
      } catch {
        this.logger.warn({ timeZone }, 'unknown warehouse time zone; using UTC');
        format = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', hourCycle: 'h23' });
      }
      this.formats.set(timeZone, format);
    }
    const start = bucket * 900_000;
    const parts: Record<string, number> = {};
    for (const p of format.formatToParts(new Date(start))) parts[p.type] = Number(p.value);
    const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!);
    offset = Number.isFinite(asUtc) ? asUtc - start : 0;
    if (this.offsets.size > 10_000) this.offsets.clear();
    this.offsets.set(key, offset);
    return offset;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
