/**
 * A map keyed by (sku, warehouse): one map per SKU, then one per warehouse. Two lookups by
 * strings whose hashes V8 already holds cost less than building and hashing a pair key for every
 * event, and the pairs of a partition are the hot path's most frequent lookup.
 */
export class PairMap<V> {
  private readonly bySku = new Map<string, Map<string, V>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(sku: string, warehouseId: string): V | undefined {
    return this.bySku.get(sku)?.get(warehouseId);
  }

  set(sku: string, warehouseId: string, value: V): void {
    let byWarehouse = this.bySku.get(sku);
    if (!byWarehouse) this.bySku.set(sku, (byWarehouse = new Map()));
    if (!byWarehouse.has(warehouseId)) this.count++;
    byWarehouse.set(warehouseId, value);
  }

  *values(): Generator<V> {
    for (const byWarehouse of this.bySku.values()) yield* byWarehouse.values();
  }
}
