import { expect } from 'chai';
import { generateMasterData } from '../../../inventory/generator/index.js';

describe('generator master data', () => {
  it('is the same for the same seed and differs for another seed', () => {
    const a = generateMasterData({ seed: 42 });
    expect(generateMasterData({ seed: 42 })).to.deep.equal(a);
    expect(generateMasterData({ seed: 43 }).products).to.not.deep.equal(a.products);
  });

  it('names SKUs and warehouses in upper case with serial numbers, 50 SKUs and 3 warehouses by default', () => {
    const { products, warehouses } = generateMasterData();
    expect(products).to.have.length(50);
    expect(warehouses).to.have.length(3);
    expect(products[0]!.sku).to.equal('LAPTOP-001');
    for (const p of products) expect(p.sku).to.match(/^[A-Z]+-\d{3,}$/);
    expect(new Set(products.map((p) => p.sku)).size).to.equal(50);
    expect(warehouses.map((w) => w.warehouse_id)).to.deep.equal([
      'WAREHOUSE-001',
      'WAREHOUSE-002',
      'WAREHOUSE-003',
    ]);
  });

  it('keeps the first SKUs identical when the catalogue grows', () => {
    const small = generateMasterData({ seed: 5, skus: 20 });
    const large = generateMasterData({ seed: 5, skus: 2_000, warehouses: 12 });
    expect(large.products.slice(0, 20)).to.deep.equal(small.products);
    expect(new Set(large.products.map((p) => p.sku)).size).to.equal(2_000);
    expect(new Set(large.warehouses.map((w) => w.warehouse_id)).size).to.equal(12);
  });

  it('gives products sane prices, lead times and a long-tailed demand, and warehouses a mix of time zones', () => {
    const { products, warehouses } = generateMasterData({ seed: 1, skus: 200, warehouses: 6 });
    for (const p of products) {
      expect(p.unit_cost).to.be.above(0);
      expect(p.unit_price).to.be.above(p.unit_cost);
      expect(p.lead_time_days).to.be.within(1, 365);
    }
    const rates = products.map((p) => p.demand.salesPerDay).sort((a, b) => a - b);
    const median = rates[100]!;
    const mean = rates.reduce((s, r) => s + r, 0) / rates.length;
    expect(mean).to.be.above(median); // skewed to the right
    expect(rates.at(-1)! / rates[0]!).to.be.above(20);
    expect(new Set(warehouses.map((w) => w.timezone)).size).to.equal(6);
    expect(warehouses.some((w) => w.weekend_operation)).to.equal(true);
    expect(warehouses.some((w) => !w.weekend_operation)).to.equal(true);
    for (const w of warehouses) expect(w.business_hours_start < w.business_hours_end).to.equal(true);
  });

  it('rejects impossible sizes with a plain message', () => {
    expect(() => generateMasterData({ skus: 0 })).to.throw(/skus must be a whole number/);
    expect(() => generateMasterData({ warehouses: 1.5 })).to.throw(/warehouses must be a whole number/);
  });
});
