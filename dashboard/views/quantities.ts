/** How the warehouse pages show quantities, rates and days. */

/** `1,234` or `12.5`; an empty string for no value. */
export function formatQuantity(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  return value.toLocaleString('en-US', { maximumFractionDigits: Number.isInteger(value) ? 0 : digits });
}

/** `37.5 %` of a 0–1 ratio. */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '';
  return `${(ratio * 100).toFixed(1)} %`;
}

/** Days of cover: `3.2 d`; `∞` when there is no demand. */
export function formatCover(days: number | null | undefined, hasMetrics: boolean): string {
  if (!hasMetrics) return '';
  if (days === null || days === undefined) return '∞';
  return `${days.toFixed(1)} d`;
}

/** The pair page of a SKU in a warehouse. */
export function pairHref(warehouseId: string, sku: string): string {
  return `/stock/${encodeURIComponent(warehouseId)}/${encodeURIComponent(sku)}`;
}
