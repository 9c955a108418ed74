import { expect } from 'chai';
import { h, scheduleInWords } from '../../dashboard/index.js';
import { localPath } from '../../dashboard/auth.js';
import { ganttView } from '../../dashboard/views/ganttView.js';

describe('dashboard views', () => {
  it('says the five DAG schedules in words', () => {
    expect(scheduleInWords('0 2 * * *')).to.equal('every day at 02:00 UTC');
    expect(scheduleInWords('0 * * * *')).to.equal('every hour');
    expect(scheduleInWords('0 */6 * * *')).to.equal('every 6 hours (00:00, 06:00, 12:00, 18:00 UTC)');
    expect(scheduleInWords('0 1 * * 1')).to.equal('every Monday at 01:00 UTC');
    expect(scheduleInWords('*/30 * * * *')).to.equal('every 30 minutes');
  });

  it('falls back to the expression for shapes it does not describe, and says manual for none', () => {
    expect(scheduleInWords('5 4 1-7 * 2', 'Europe/Berlin')).to.equal('5 4 1-7 * 2 (cron, Europe/Berlin)');
    expect(scheduleInWords(null)).to.equal('manual only');
  });

  it('escapes every interpolated value and keeps nested templates as markup', () => {
    const evil = `"><script>alert('x')</script>`;
    const out = h`<a title="${evil}">${evil}</a>${h`<b>${'&'}</b>`}${[h`<i>1</i>`, '<2>']}`.value;
    expect(out).to.equal(
      '<a title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</a><b>&amp;</b><i>1</i>&lt;2&gt;',
    );
  });

  it('only returns to local paths after login (no open redirect)', () => {
    expect(localPath('/dags/x?y=1')).to.equal('/dags/x?y=1');
    for (const bad of [
      'https://evil.example/',
      '//evil.example/x',
      '/\\evil.example',
      'javascript:alert(1)',
      42,
    ])
      expect(localPath(bad), String(bad)).to.equal('/');
  });
  it('ends a Gantt label too long for its column in an ellipsis, with the whole task id on hover', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    const bar = (task_id: string) => ({
      task_id,
      state: 'success' as const,
      try_number: 1,
      queued_at: at(0),
      started_at: at(1),
      ended_at: at(2),
    });
    const html = String(
      ganttView({
        run_id: 1,
        dag_id: 'd',
        from: at(0),
        to: at(2),
        bars: [bar('extract'), bar('generate_aggregated_metrics_per_warehouse')],
      }),
    );
    expect(html).to.include(
      '<title>generate_aggregated_metrics_per_warehouse</title>generate_aggregated_metrics…<',
    );
    expect(html).to.include('<title>extract</title>extract<');
  });
});
