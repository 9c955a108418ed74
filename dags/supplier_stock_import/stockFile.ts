import { parseWholeNumber, PermanentTaskError } from '../../platform/index.js';

/**
 * A supplier stock file: CSV in UTF-8, a header line then one line per SKU and warehouse:
 * ```
 * sku,warehouse_id,quantity,available_on
 * LAPTOP-001,WAREHOUSE-001,120,2026-03-05
 * MOUSE-002,WAREHOUSE-002,40,
 * ```
 * `quantity` is the units the supplier can ship to that warehouse (a whole number, 0 included);
 * `available_on` (optional column, and optional per line) the day they can ship from. SKU and
 * warehouse ids are read in upper case. Fields may be quoted ("…", with "" for a quote).
 */
export const STOCK_FILE_COLUMNS = ['sku', 'warehouse_id', 'quantity', 'available_on'] as const;
const REQUIRED = 3;
const MAX_QUANTITY = 1_000_000_000;
const MAX_SHOWN_CHARS = 200;

export interface StockRow {
  line: number;
  sku: string;
  warehouseId: string;
  quantity: number;
  availableOn: string | null;
}

/** A line that was not loaded: its number in the file (1 = the header), why, and its text. */
export type RejectedLine = {
  line: number;
  reason: string;
  text: string;
};

export interface ParsedStockFile {
  rows: StockRow[];
  rejects: RejectedLine[];
}

/** The file as a whole is not a stock file (no header, a wrong one): nothing of it is loaded. */
export class StockFileError extends PermanentTaskError {}

/** Splits, checks and normalises every line; bad lines are rejected with their number and reason. */
export function parseStockFile(text: string): ParsedStockFile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0) throw new StockFileError('the file is empty');
  const header = splitCsvLine(lines[headerAt]!)?.map((c) => c.trim().toLowerCase());
  const expected = STOCK_FILE_COLUMNS.slice(0, header?.length === 4 ? 4 : REQUIRED);
  if (!header || header.join(',') !== expected.join(','))
    throw new StockFileError(
      `line ${headerAt + 1}: the header must be '${STOCK_FILE_COLUMNS.slice(0, REQUIRED).join(',')}' ` +
        `(optionally ',available_on'), not '${shown(lines[headerAt]!)}'`,
    );
  const rows: StockRow[] = [];
  const rejects: RejectedLine[] = [];
  const seen = new Map<string, number>();
  for (let i = headerAt + 1; i < lines.length; i += 1) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    const line = i + 1;
    const reject = (reason: string) => rejects.push({ line, reason, text: shown(raw) });
    const fields = splitCsvLine(raw);
    if (!fields) {
      reject('an unterminated quote');
      continue;
    }
    if (fields.length !== header.length) {
      reject(`${fields.length} field${fields.length === 1 ? '' : 's'} where the header has ${header.length}`);
      continue;
    }
    const [sku, warehouseId, quantityText, availableText = ''] = fields.map((f) => f.trim());
    const problem = rowProblem(sku!, warehouseId!, quantityText!, availableText);
    if (problem) {
      reject(problem);
      continue;
    }
    const key = `${sku!.toUpperCase()}\u0000${warehouseId!.toUpperCase()}`;
    const first = seen.get(key);
    if (first !== undefined) {
      reject(`the same SKU and warehouse as line ${first}`);
      continue;
    }
    seen.set(key, line);
    rows.push({
      line,
      sku: sku!.toUpperCase(),
      warehouseId: warehouseId!.toUpperCase(),
      quantity: parseWholeNumber(quantityText!)!,
      availableOn: availableText === '' ? null : availableText,
    });
  }
  return { rows, rejects };
}

function rowProblem(
  sku: string,
  warehouseId: string,
  quantity: string,
  availableOn: string,
): string | undefined {
  if (sku === '') return 'no SKU';
  if (warehouseId === '') return 'no warehouse_id';
  if (parseWholeNumber(quantity, 0, MAX_QUANTITY) === undefined)
    return `quantity '${shown(quantity)}' is not a whole number from 0 to ${MAX_QUANTITY}`;
  if (availableOn !== '' && !isIsoDay(availableOn))
    return `available_on '${shown(availableOn)}' is not a date (YYYY-MM-DD)`;
  return undefined;
}

/**
 * Moves the rows whose SKU or warehouse is not in the warehouse model to the rejects (by line),
 * given the ids that exist.
 */
export function checkReferences(
  parsed: ParsedStockFile,
  known: { skus: ReadonlySet<string>; warehouses: ReadonlySet<string> },
  textOf: (line: number) => string,
): ParsedStockFile {
  const rows: StockRow[] = [];
  const rejects = [...parsed.rejects];
  for (const r of parsed.rows) {
    const reason = !known.skus.has(r.sku)
      ? `unknown SKU '${r.sku}'`
      : !known.warehouses.has(r.warehouseId)
        ? `unknown warehouse '${r.warehouseId}'`
        : undefined;
    if (reason) rejects.push({ line: r.line, reason, text: textOf(r.line) });
    else rows.push(r);
  }
  return { rows, rejects: rejects.sort((a, b) => a.line - b.line) };
}

/** One CSV line's fields (RFC 4180 quoting within the line), or undefined for an open quote. */
export function splitCsvLine(line: string): string[] | undefined {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  if (quoted) return undefined;
  fields.push(field);
  return fields;
}

function isIsoDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

const shown = (text: string) => (text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text);
