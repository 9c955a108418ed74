import { enc, type BadInput } from './case.js';

/** Strings that look like a SKU or warehouse id to a person but are not one. */
export const UNICODE_TRICKS: Array<[string, string]> = [
  ['an RTL override', 'SKU-\u202E100-UKS'],
  ['a zero-width space', 'SKU\u200B-001'],
  ['a zero-width joiner', 'SKU-0\u200D01'],
  ['a byte-order mark', '\uFEFFSKU-001'],
  ['Cyrillic homoglyphs', 'SКU-ООl'],
  ['fullwidth letters', 'ＳＫＵ-００１'],
  ['a NUL byte', 'SKU-001\u0000'],
  ['a control character', 'SKU-\u0007001'],
  ['a combining accent', 'SKU-001\u0301'],
  ['an emoji', 'SKU-📦'],
  ['a line break', 'SKU-001\r\nX-Injected: 1'],
  ['a very long id', 'SKU-' + 'A'.repeat(5_000)],
  ['SQL', "SKU' OR '1'='1"],
];

/** A lone surrogate cannot be percent-encoded by `encodeURIComponent`: its CESU bytes instead. */
const LONE_SURROGATE = '%ED%A0%80';
/** Percent-encoding that is not UTF-8 at all. */
const BAD_UTF8 = '%FF%FE';

/** Unicode tricks as a SKU or warehouse in path params (API and page) and in filters. */
export function identifierCases(): BadInput[] {
  const cases: BadInput[] = [];
  for (const [what, id] of UNICODE_TRICKS) {
    const e = enc(id);
    cases.push(
      {
        name: `GET /api/stock/:wh/:sku with ${what} in the SKU`,
        path: `/api/stock/WH-1/${e}`,
        status: 400,
        says: /sku/,
      },
      {
        name: `GET /api/stock/:wh/:sku with ${what} in the warehouse`,
        path: `/api/stock/${e}/SKU-1`,
        status: 400,
        says: /warehouseId/,
      },
      {
        name: `GET /stock/:wh/:sku (page) with ${what} in the SKU`,
        path: `/stock/WH-1/${e}`,
        status: 400,
        says: /sku/,
      },
      {
        name: `GET /api/stock with ${what} as warehouse filter`,
        path: `/api/stock?warehouse_id=${e}`,
        status: 400,
        says: /warehouse_id/,
      },
      {
        name: `GET /api/reorders with ${what} as SKU filter`,
        path: `/api/reorders?sku=${e}`,
        status: 400,
        says: /sku/,
      },
      {
        name: `GET /api/alerts with ${what} as SKU filter`,
        path: `/api/alerts?sku=${e}`,
        status: 400,
        says: /sku/,
      },
      {
        name: `GET /api/stream/anomalies with ${what} as warehouse filter`,
        path: `/api/stream/anomalies?warehouse_id=${e}`,
        status: 400,
        says: /warehouse_id/,
      },
      {
        name: `GET /alerts (page) with ${what} as SKU filter`,
        path: `/alerts?sku=${e}`,
        status: 400,
        says: /sku/,
      },
      {
        name: `GET /api/dags/:dagId with ${what} as the DAG id`,
        path: `/api/dags/${e}`,
        status: 400,
        says: /dagId/,
      },
    );
  }
  for (const [what, raw] of [
    ['a lone surrogate', LONE_SURROGATE],
    ['bytes that are not UTF-8', BAD_UTF8],
  ] as const) {
    cases.push(
      {
        name: `GET /api/stock/:wh/:sku with ${what} in the SKU`,
        path: `/api/stock/WH-1/SKU${raw}`,
        status: 400,
        says: /decode param/,
      },
      {
        name: `GET /stock/:wh/:sku (page) with ${what} in the SKU`,
        path: `/stock/WH-1/SKU${raw}`,
        status: 400,
        says: /decode param/,
      },
      {
        name: `GET /api/stock with ${what} in the search`,
        path: `/api/stock?q=A${raw}`,
        status: 400,
        says: /q: must be printable/,
      },
      {
        name: `GET /stock (page) with ${what} in the search`,
        path: `/stock?q=A${raw}`,
        status: 400,
        says: /q: must be printable/,
      },
      {
        name: `GET /api/alerts with ${what} as SKU filter`,
        path: `/api/alerts?sku=A${raw}`,
        status: 400,
        says: /sku/,
      },
      {
        name: `GET /api/alerts with ${what} as alert type`,
        path: `/api/alerts?alert_type=A${raw}`,
        status: 400,
        says: /alert_type: must be printable/,
      },
      {
        name: `GET /api/dags/:dagId with ${what} as the DAG id`,
        path: `/api/dags/D${raw}`,
        status: 400,
        says: /decode param/,
      },
    );
  }
  // Free-text filters accept any printable text, but not what PostgreSQL's text type cannot hold.
  cases.push(
    { name: 'GET /api/stock with a NUL in the search', path: '/api/stock?q=A%00B', status: 400, says: /q/ },
    { name: 'GET /stock (page) with a NUL in the search', path: '/stock?q=A%00B', status: 400, says: /q/ },
    {
      name: 'GET /api/alerts with a NUL in the alert type',
      path: '/api/alerts?alert_type=A%00',
      status: 400,
      says: /alert_type/,
    },
    {
      name: 'GET /api/data-quality/results with a NUL in the rule id',
      path: '/api/data-quality/results?rule_id=%00',
      status: 400,
      says: /rule_id/,
    },
    {
      name: 'GET /api/stream/windows with a NUL in the SKU',
      path: '/api/stream/windows?sku=%00',
      status: 400,
      says: /sku/,
    },
    {
      name: 'GET /api/stock with a search of 10,000 characters',
      path: `/api/stock?q=${'a'.repeat(10_000)}`,
      status: 400,
      says: /q/,
    },
  );
  return cases;
}
