import { join } from 'node:path';
import {
  artifactsDir,
  expectCanvasDrawn,
  expectOnlyLoopback,
  newDataDir,
  recordRequests,
  Shell,
  expect,
  test,
} from './support';
import { expectSortsAndSaves } from './table-checks';

test('learn the acceptable capital allocations of the EBA network: tiers, run with progress, boundary, efficient allocations, timing; cancel', async ({
  page,
  startHost,
}) => {
  test.setTimeout(240_000);
  const host = await startHost(newDataDir());
  const requests = recordRequests(page);
  const shell = new Shell(page);
  await page.setViewportSize({ width: 1500, height: 1000 });
  await page.goto(host.url);
  await expect(page.getByTestId('dataset-detail')).toContainText('87 kept');

  await shell.goTo('capital');
  await expect(page.getByTestId('capital-version')).toContainText('v2');
  // the paper's Table 2 two-tier grouping: 9 banks with 48.1% of assets, 78 with 51.9%
  const tiersTable = page.getByTestId('capital-tiers-table');
  await expect(tiersTable.locator('tbody tr')).toHaveCount(2);
  await expect(tiersTable.locator('tbody tr').nth(0)).toContainText('48.1 %');
  await expect(tiersTable.locator('tbody tr').nth(1)).toContainText('51.9 %');

  await page.getByTestId('capital-samples').fill('150');
  await page.getByTestId('capital-scenarios').fill('300');
  await page.getByTestId('capital-epochs').fill('300');
  await page.getByTestId('capital-grid').fill('12');
  await page.getByTestId('capital-run').click();
  await expect(page.getByTestId('job-progress')).toContainText(/sampling|training/, { timeout: 30_000 });
  await expect(page.getByTestId('job-progress')).toContainText('succeeded', { timeout: 180_000 });

  // The saved run's header, as on the other run screens: its number, the saved-run picker naming it, its Report button.
  await expect(page.getByRole('heading', { name: /^Run #\d+$/ })).toBeVisible();
  await expect(page.getByTestId('capital-saved').locator('option:checked')).toHaveText(
    /^#\d+ capital allocation — 2 tiers, uniform \+ gibbs sampling, uniform shocks \(\d{4}-\d\d-\d\d \d\d:\d\d\)$/,
  );
  await expect(page.getByTestId('report-export')).toBeEnabled();
  await expect(page.getByTestId('capital-figures')).toContainText('EBA 2011');
  // the network's size said once (the sample's name already gives it)
  await expect(page.getByTestId('capital-figures')).not.toContainText(/87 banks.*87 banks/);
  await expect(page.getByTestId('capital-figures')).toContainText('300 · 1');
  // every chart drew: the decision boundary with its samples, each sampler's loss curves
  await expectCanvasDrawn(page.getByTestId('capital-boundary').locator('canvas'));
  for (const sampler of ['uniform', 'gibbs'])
    await expectCanvasDrawn(page.getByTestId(`capital-loss-${sampler}`).locator('canvas'));
  const efficient = page.getByTestId('capital-efficient').locator('tbody tr');
  await expect(efficient).toHaveCount(8);
  await expect(page.getByTestId('capital-efficient')).toContainText('acceptable');
  await expect(page.getByTestId('capital-best')).toContainText(/Least capital found: .* acceptable on 3,000/);
  await expect(page.getByTestId('capital-timing').locator('tbody tr')).toHaveCount(4);
  await expect(page.getByTestId('capital-timing').locator('tbody tr').first()).toContainText(
    / s \([\d.]+ s sampling \+ [\d.]+ s training\)/,
  );
  await expect(page.getByTestId('capital-samplers').locator('tbody tr')).toHaveCount(2);
  await expect(page.getByTestId('capital-run-tiers').locator('tbody tr')).toHaveCount(2);
  // Every table of the run sorts (a header click, again to reverse) and saves as CSV, units in the header.
  for (const table of [
    {
      testid: 'capital-run-tiers',
      header: /^Σ base/,
      column: 4,
      file: 'Capital-tiers-of-run',
      csvHeader: 'Σ base (EUR million)',
    },
    {
      testid: 'capital-efficient',
      header: /^Total capital/,
      column: 4,
      file: 'Efficient-allocations-of-capital-run',
      csvHeader: 'Total capital (EUR million),Statistic,± SE',
    },
    {
      testid: 'capital-efficient-samples',
      header: /^Total capital/,
      column: 3,
      file: 'Cheapest-acceptable-samples-of-capital-run',
      csvHeader: 'Total capital (EUR million)',
    },
    {
      testid: 'capital-timing',
      header: /^uniform sampling/,
      column: 2,
      file: 'Execution-time-of-capital-run',
      csvHeader: 'uniform sampling (s),gibbs sampling (s)',
    },
    {
      testid: 'capital-samplers',
      header: /^Share of samples acceptable/,
      column: 5,
      file: 'Samplers-of-capital-run',
      csvHeader: 'Sampling time (s),Clearings',
    },
  ]) {
    await expectSortsAndSaves(page, table);
  }
  await expect(page.getByTestId('capital-pinned')).toContainText(
    /(Pinned to the boundary|Not pinned within the scenario budget): k = \(/,
  );
  await page.getByTestId('capital-plot-sampler').selectOption('gibbs');
  await page.screenshot({ path: join(artifactsDir, 'capital-screen.png'), fullPage: true });
  await page.getByTestId('capital-boundary').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, 'capital-boundary.png') });
  await page.getByTestId('capital-loss-gibbs').scrollIntoViewIfNeeded();
  await expect(page.getByTestId('capital-loss-uniform').locator('canvas')).toBeVisible();
  await page.screenshot({ path: join(artifactsDir, 'capital-loss.png') });
  await page.getByTestId('capital-best').evaluate((element) => element.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: join(artifactsDir, 'capital-efficient.png') });
  await page.getByTestId('capital-timing').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, 'capital-tables.png') });

  // a long run can be cancelled
  await page.getByTestId('capital-samples').fill('20000');
  await page.getByTestId('capital-run').click();
  await expect(page.getByTestId('cancel-job')).toBeVisible();
  await page.getByTestId('cancel-job').click();
  await expect(page.getByTestId('job-progress')).toContainText('cancelled');

  // bad input is answered with a message
  await page.getByTestId('capital-samples').fill('1');
  await page.getByTestId('capital-run').click();
  await expect(page.getByTestId('capital-error')).toContainText(/Samples must be at least \d+/);

  expectOnlyLoopback(requests);
  await host.stop();
});
