import { pageQuery } from '../warehouseQueries.js';
import { Router } from 'express';
import type { RouteDeps } from '../deps.js';
import { qualityResultsQuery } from '../validation.js';
import { formatTime } from '../views/format.js';
import { h } from '../views/html.js';
import { layout, pager } from '../views/layout.js';
import { pageContext } from './context.js';

/** Data-quality results (the Alerts page is ./alerts.ts, the stream page ./stream.ts). */
export function resultPages(deps: RouteDeps): Router {
  const { reads, policy } = deps;
  const r = Router();

  r.get('/quality', async (req, res) => {
    const ctx = pageContext(req, res, policy);
    const q = qualityResultsQuery.parse(pageQuery(req.query));
    const [runs, results] = await Promise.all([
      reads.listDataQualityRuns({}, { limit: 20, offset: 0 }),
      reads.listDataQualityResults(
        { passed: q.passed, ruleGroup: q.rule_group, ruleId: q.rule_id, checkRunKey: q.check_run_key },
        q,
      ),
    ]);
    res.send(
      layout(
        ctx,
        'Data quality',
        h`<h1>Data quality</h1>
          <h2>Recent checks</h2>
          ${
            runs.items.length === 0
              ? h`<p class="empty">No data-quality checks have run yet.</p>`
              : h`<table>
                  <thead>
                    <tr>
                      <th>Interval</th>
                      <th>Score</th>
                      <th>Rules</th>
                      <th>Failed rules</th>
                      <th></th>
                    </tr>
                  </thead>
                  <tbody>
                    ${runs.items.map(
                      (run) =>
                        h`<tr>
                          <td>${formatTime(run.interval_start)} → ${formatTime(run.interval_end)}</td>
                          <td>
                            <meter min="0" max="100" low="80" high="95" optimum="100" value="${run.score}">
                              ${run.score}
                            </meter>
                            ${run.score.toFixed(1)}
                          </td>
                          <td>${run.rules_checked - run.rules_failed}/${run.rules_checked} passed</td>
                          <td>${run.failed_rules.join(', ') || '—'}</td>
                          <td>
                            <a href="/quality?check_run_key=${encodeURIComponent(run.check_run_key)}"
                              >results</a
                            >
                          </td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
          }
          <h2>Rule results${q.check_run_key ? h` of ${q.check_run_key}` : ''}</h2>
          <form method="get" class="filters">
            <select name="passed">
              <option value="">passed and failed</option>
              <option value="false" ${q.passed === false ? h` selected` : ''}>failed only</option>
              <option value="true" ${q.passed === true ? h` selected` : ''}>passed only</option>
            </select>
            ${q.check_run_key ? h`<input type="hidden" name="check_run_key" value="${q.check_run_key}" />` : ''}
            <button type="submit" class="btn secondary">Filter</button>
          </form>
          ${
            results.items.length === 0
              ? h`<p class="empty">No results.</p>`
              : h`<table>
                  <thead>
                    <tr>
                      <th>Rule</th>
                      <th>Group</th>
                      <th>Result</th>
                      <th>Failing</th>
                      <th>Checked</th>
                      <th>Sample</th>
                      <th>At</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${results.items.map(
                      (x) =>
                        h`<tr>
                          <td>${x.rule_id}</td>
                          <td>${x.rule_group}</td>
                          <td>
                            <span class="state state-${x.passed ? 'success' : 'failed'}"
                              >${x.passed ? 'passed' : 'failed'}</span
                            >
                          </td>
                          <td>${x.failing_count}</td>
                          <td>${x.checked_count}</td>
                          <td><code class="small">${truncate(JSON.stringify(x.sample), 160)}</code></td>
                          <td>${formatTime(x.checked_at)}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
          }
          ${pager('/quality', { passed: q.passed === undefined ? undefined : String(q.passed), check_run_key: q.check_run_key }, results)}`,
      ),
    );
  });

  return r;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
