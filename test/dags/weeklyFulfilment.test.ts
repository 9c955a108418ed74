import { expect } from 'chai';
import { fulfilmentWeeks } from '../../dags/weekly_summary/fulfilment.js';
import { formatFulfilmentKpi, fulfilmentText } from '../../dags/weekly_summary/fulfilmentReport.js';
import { formatChange } from '../../dags/weekly_summary/report.js';
import { fulfilmentMetrics as week } from '../inventory/fulfilment/figures.js';

describe('weekly_summary: the fulfilment section per warehouse', function () {
  it('lists every warehouse of either week; one that stopped shows zeros and n/a against last week', function () {
    const weeks = fulfilmentWeeks(
      [week('WH-2', { orders_created: 4, fill_rate: 0.5, order_to_pick_p50_s: 7200 })],
      [
        week('WH-1', { orders_created: 10, fill_rate: 1, exceptions: 2 }),
        week('WH-2', { orders_created: 5, fill_rate: 0.8, order_to_pick_p50_s: 3600 }),
      ],
    );
    expect(weeks.map((w) => w.warehouse_id)).to.deep.equal(['WH-1', 'WH-2']);
    expect(weeks[0]!.kpis).to.include({ orders_created: 0, fill_rate: null, exceptions: 0 });
    expect(weeks[0]!.week_over_week).to.include({ orders_created: -1, fill_rate: null, exceptions: -1 });
    expect(weeks[1]!.week_over_week).to.include({
      orders_created: -0.2,
      fill_rate: -0.375,
      order_to_pick_p50_s: 1,
      exceptions: null, // nothing last week to compare with
    });
  });

  it('formats rates as percentages, warehouse times in hours and the carrier’s in days', function () {
    expect(formatFulfilmentKpi('on_time_dispatch_rate', 0.925)).to.equal('92.5 %');
    expect(formatFulfilmentKpi('pick_to_dispatch_p95_s', 5400)).to.equal('1.5 h');
    expect(formatFulfilmentKpi('delivery_p50_s', 172_800)).to.equal('2.0 d');
    expect(formatFulfilmentKpi('backorders', 3)).to.equal('3');
    expect(formatFulfilmentKpi('fill_rate', null)).to.equal('n/a');
    expect(fulfilmentText([], formatChange)).to.deep.equal([
      'Fulfilment: no orders or shipments this week or the week before.',
    ]);
  });
});
