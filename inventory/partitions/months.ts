/**
 * Month arithmetic of the partitioned tables, in UTC: a month is its first day, 'YYYY-MM-01'.
 * Partition bounds are [month 00:00 UTC, next month 00:00 UTC), whatever the session time zone.
 */

/** The month an instant falls in. */
export function monthOf(instant: Date): string {
  return `${instant.toISOString().slice(0, 7)}-01`;
}

/** `month` moved by `n` months (negative: back). */
export function addMonths(month: string, n: number): string {
  const [y, m] = [Number(month.slice(0, 4)), Number(month.slice(5, 7))];
  return new Date(Date.UTC(y, m - 1 + n, 1)).toISOString().slice(0, 10);
}

/** Every month from `first` to `last`, both included. */
export function monthsBetween(first: string, last: string): string[] {
  const months: string[] = [];
  for (let m = first; m <= last; m = addMonths(m, 1)) months.push(m);
  return months;
}

/** The partition of `table` ('inventory_transactions') holding `month`: 'inventory_transactions_p202611'. */
export function partitionName(table: string, month: string): string {
  return `${table}_p${month.slice(0, 4)}${month.slice(5, 7)}`;
}

/** The month a partition name stands for, or undefined for another name (the DEFAULT partition). */
export function monthOfPartition(table: string, name: string): string | undefined {
  const m = new RegExp(`^${table}_p(\\d{4})(\\d{2})$`).exec(name);
  return m ? `${m[1]}-${m[2]}-01` : undefined;
}

/** The lower and upper bound of a month as timestamptz literals. */
export function monthBounds(month: string): { from: string; to: string } {
  return { from: `${month} 00:00:00+00`, to: `${addMonths(month, 1)} 00:00:00+00` };
}
