import { expect } from 'chai';
import {
  checkReferences,
  parseStockFile,
  splitCsvLine,
  StockFileError,
} from '../../dags/supplier_stock_import/stockFile.js';

describe('supplier stock files: parsing and checks', () => {
  it('splits quoted fields, with "" for a quote, and reports an open quote', () => {
    expect(splitCsvLine('a,"b,c","say ""hi""",')).to.deep.equal(['a', 'b,c', 'say "hi"', '']);
    expect(splitCsvLine('a,"b')).to.equal(undefined);
  });

  it('reads the header with or without available_on, a BOM and CRLF line ends', () => {
    const parsed = parseStockFile('\uFEFFSKU, Warehouse_ID ,quantity\r\nsku-1,wh-1,5\r\n');
    expect(parsed).to.deep.equal({
      rows: [{ line: 2, sku: 'SKU-1', warehouseId: 'WH-1', quantity: 5, availableOn: null }],
      rejects: [],
    });
  });

  it('rejects a file without the header as a whole, naming the line', () => {
    expect(() => parseStockFile('\n\nsku;qty\n')).to.throw(
      StockFileError,
      "line 3: the header must be 'sku,warehouse_id,quantity' (optionally ',available_on'), not 'sku;qty'",
    );
    expect(() => parseStockFile('  \n')).to.throw(StockFileError, 'the file is empty');
  });

  it('rejects each bad line with its number and reason and keeps the good ones', () => {
    const parsed = parseStockFile(
      [
        'sku,warehouse_id,quantity',
        'A,W,1',
        'A,W', // too few fields
        ',W,1',
        'B,W,-1',
        'B,W,1.5',
        'C,"W,1',
        'a,w,2',
      ].join('\n'),
    );
    expect(parsed.rows.map((r) => r.line)).to.deep.equal([2]);
    expect(parsed.rejects.map((r) => [r.line, r.reason])).to.deep.equal([
      [3, '2 fields where the header has 3'],
      [4, 'no SKU'],
      [5, "quantity '-1' is not a whole number from 0 to 1000000000"],
      [6, "quantity '1.5' is not a whole number from 0 to 1000000000"],
      [7, 'an unterminated quote'],
      [8, 'the same SKU and warehouse as line 2'],
    ]);
  });

  it('moves rows naming an unknown SKU or warehouse to the rejects, in line order', () => {
    const parsed = parseStockFile('sku,warehouse_id,quantity\nX,W,1\nA,W,2\nA,V,3\nbad\n');
    const checked = checkReferences(
      parsed,
      { skus: new Set(['A']), warehouses: new Set(['W']) },
      (n) => `line ${n}`,
    );
    expect(checked.rows.map((r) => r.line)).to.deep.equal([3]);
    expect(checked.rejects).to.deep.equal([
      { line: 2, reason: "unknown SKU 'X'", text: 'line 2' },
      { line: 4, reason: "unknown warehouse 'V'", text: 'line 4' },
      { line: 5, reason: '1 field where the header has 3', text: 'bad' },
    ]);
  });
});
