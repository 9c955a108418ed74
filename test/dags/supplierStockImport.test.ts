import { existsSync } from 'node:fs';
import { readdir, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { supplierStockImport } from '../../dags/index.js';
import { getRun, triggerRun, waitForRun, type TaskInstanceDetail } from '../../engine/index.js';
import { startHarness, type Harness } from '../engine/harness.js';
import { waitFor } from '../support/wait.js';
import { insertProducts, insertWarehouses } from './fixtures.js';
import { createTestServices, type TestServices } from './harness.js';

const GOOD_AND_BAD = [
  'sku,warehouse_id,quantity,available_on',
  'SKU-1,WH-1,120,2026-03-05',
  'sku-2,wh-2,40,', // read in upper case; no date
  'SKU-9,WH-1,5,', // unknown SKU
  'SKU-1,WH-2,many,', // not a number
  '',
  'SKU-2,WH-1,"7",2026-02-30', // not a date
  'SKU-1,WH-1,3,', // same pair as line 2
  'SKU-2,WH-1,0,',
].join('\n');

describe('supplier_stock_import: a sensor on the drop directory and the loader, through a worker', () => {
  let h: Harness;
  let env: TestServices;
  let drop: string;

  before(async () => {
    h = await startHarness([supplierStockImport]);
    env = await createTestServices({ databaseUrl: h.db.url });
    drop = env.services.config.SUPPLIER_DROP_DIR;
    expect(drop).to.equal(path.join(env.dataDir, 'supplier-drop'));
    await insertProducts(h.db.knex, [
      { sku: 'SKU-1', lead_time_days: 5 },
      { sku: 'SKU-2', lead_time_days: 5 },
    ]);
    await insertWarehouses(h.db.knex, ['WH-1', 'WH-2']);
    h.startWorker({ services: { inventory: env.services } });
  });
  after(async () => {
    await h?.close();
    await env?.close();
  });

  const instance = async (runId: number, taskId: string): Promise<TaskInstanceDetail> =>
    (await getRun(h.engine, runId))!.task_instances.find((t) => t.task_id === taskId)!;

  /** The sensor pokes every 30 s: bring its next poke forward, as if that time had come. */
  async function pokeNow(runId: number): Promise<void> {
    const jobs = await h.engine.queues.queue('default').getJobs(['delayed']);
    const next = jobs.find((j) => j.data.runId === runId && j.data.taskId === 'wait_for_stock_file');
    expect(next, 'the delayed job of the next poke').to.not.equal(undefined);
    await next!.promote();
  }

  it('waits for a stock file, loads its rows, reports each bad line by number and moves the file to processed/', async () => {
    const run = await triggerRun(h.engine, 'supplier_stock_import');
    const waiting = await waitFor('the sensor waiting for a file', async () => {
      const ti = await instance(run.id, 'wait_for_stock_file');
      return ti.state === 'up_for_reschedule' ? ti : undefined;
    });
    expect(waiting.waiting_reason).to.match(/^sensor: condition not met after 1 poke; next poke at /);
    await mkdir(drop, { recursive: true });
    await writeFile(path.join(drop, 'acme_2026-03-04.csv'), GOOD_AND_BAD);
    await writeFile(path.join(drop, 'notes.txt'), 'not a csv: the sensor ignores it');
    await pokeNow(run.id);
    expect((await waitForRun(h.engine, run.id, { pollMs: 50 })).state).to.equal('success');

    expect((await instance(run.id, 'wait_for_stock_file')).output).to.deep.equal([
      path.join(drop, 'acme_2026-03-04.csv'),
    ]);
    const rows = await h.db
      .knex('inventory.supplier_stock')
      .select('line_no', 'sku', 'warehouse_id', 'quantity')
      .orderBy('line_no');
    expect(rows).to.deep.equal([
      { line_no: 2, sku: 'SKU-1', warehouse_id: 'WH-1', quantity: 120 },
      { line_no: 3, sku: 'SKU-2', warehouse_id: 'WH-2', quantity: 40 },
      { line_no: 9, sku: 'SKU-2', warehouse_id: 'WH-1', quantity: 0 },
    ]);
    const expectedRejects = [
      { line: 4, reason: "unknown SKU 'SKU-9'" },
      { line: 5, reason: "quantity 'many' is not a whole number from 0 to 1000000000" },
      { line: 7, reason: "available_on '2026-02-30' is not a date (YYYY-MM-DD)" },
      { line: 8, reason: 'the same SKU and warehouse as line 2' },
    ];
    const stored = await h.db.knex('inventory.supplier_stock_files').first();
    expect(stored).to.include({
      file_name: 'acme_2026-03-04.csv',
      rows_loaded: 3,
      rows_rejected: 4,
      run_id: run.id,
    });
    expect(
      stored.rejects.map((r: { line: number; reason: string }) => ({ line: r.line, reason: r.reason })),
    ).to.deep.equal(expectedRejects);
    const output = (await instance(run.id, 'load_supplier_stock')).output as {
      files: Array<{ file: string; rows_loaded: number; rejects: Array<{ line: number; reason: string }> }>;
    };
    expect(output.files.map((f) => [f.file, f.rows_loaded])).to.deep.equal([['acme_2026-03-04.csv', 3]]);
    expect(output.files[0]!.rejects.map((r) => r.line)).to.deep.equal([4, 5, 7, 8]);

    expect(await readdir(drop)).to.have.members(['notes.txt', 'processed']);
    expect(await readdir(path.join(drop, 'processed'))).to.deep.equal(['acme_2026-03-04.csv']);
  });

  it('replaces the rows of a file sent again under the same name, keeping the earlier copy', async () => {
    await writeFile(path.join(drop, 'acme_2026-03-04.csv'), 'sku,warehouse_id,quantity\nSKU-1,WH-1,99\n');
    const run = await triggerRun(h.engine, 'supplier_stock_import');
    expect((await waitForRun(h.engine, run.id, { pollMs: 50 })).state).to.equal('success');
    const rows = await h.db.knex('inventory.supplier_stock').select('file_name', 'line_no', 'quantity');
    expect(rows).to.deep.equal([{ file_name: 'acme_2026-03-04.csv', line_no: 2, quantity: 99 }]);
    const stored = await h.db
      .knex('inventory.supplier_stock_files')
      .select('rows_loaded', 'rows_rejected', 'run_id');
    expect(stored).to.deep.equal([{ rows_loaded: 1, rows_rejected: 0, run_id: run.id }]);
    const processed = await readdir(path.join(drop, 'processed'));
    expect(processed).to.have.length(2);
    expect(processed.filter((f) => /^acme_2026-03-04\.csv(\.\d+)?$/.test(f))).to.have.length(2);
  });

  it('moves a file that is not a stock file to rejected/ and fails the load naming it, after loading the others', async () => {
    await writeFile(path.join(drop, 'a_wrong.csv'), 'item;qty\nSKU-1;4\n');
    await writeFile(path.join(drop, 'b_good.csv'), 'sku,warehouse_id,quantity\nSKU-2,WH-2,11\n');
    const run = await triggerRun(h.engine, 'supplier_stock_import');
    expect((await waitForRun(h.engine, run.id, { pollMs: 50 })).state).to.equal('failed');
    const load = await instance(run.id, 'load_supplier_stock');
    expect(load.try_number).to.equal(1); // a file that is not a stock file is not retried
    expect(load.error).to.equal(
      "1 file rejected as a whole: a_wrong.csv (line 1: the header must be 'sku,warehouse_id,quantity' " +
        "(optionally ',available_on'), not 'item;qty'); loaded b_good.csv",
    );
    expect(existsSync(path.join(drop, 'rejected', 'a_wrong.csv'))).to.equal(true);
    expect(existsSync(path.join(drop, 'processed', 'b_good.csv'))).to.equal(true);
    expect(
      await h.db
        .knex('inventory.supplier_stock')
        .where({ file_name: 'b_good.csv' })
        .select('sku', 'quantity'),
    ).to.deep.equal([{ sku: 'SKU-2', quantity: 11 }]);
    const mail = await waitFor('the failure e-mail', () =>
      h.mail.sent.find((m) => m.subject.includes('supplier_stock_import.load_supplier_stock')),
    );
    expect(mail.text).to.include('a_wrong.csv');
  });
});
