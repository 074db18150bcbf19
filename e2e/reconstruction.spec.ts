import { join } from 'node:path';
import {
  artifactsDir,
  expectCanvasDrawn,
  expectOnlyLoopback,
  newDataDir,
  recordRequests,
  saveTableCsv,
  Shell,
  sortTable,
  expect,
  test,
} from './support';

test('reconstruct the EBA network: best, maximum entropy and worst side by side, save one, split a node', async ({
  page,
  startHost,
}) => {
  test.setTimeout(240_000);
  const host = await startHost(newDataDir());
  const requests = recordRequests(page);
  const shell = new Shell(page);
  await page.goto(host.url);
  await expect(page.getByTestId('dataset-detail')).toContainText('87 kept');

  await shell.goTo('reconstruction');
  await expect(page.getByTestId('recon-version')).toContainText('(87 banks)');

  // the nodes × fields table marks known fields
  await page.getByTestId('recon-known').locator('summary').click();
  await expect(page.getByTestId('recon-known-table').locator('tbody tr')).toHaveCount(87);
  await page.getByTestId('recon-unknown-all-outsideAssets').click();
  await expect(page.getByTestId('recon-known')).toContainText('87 field(s) marked unknown');
  await page.screenshot({ path: join(artifactsDir, 'reconstruction-known-fields.png') });
  await page.getByTestId('recon-known-all-outsideAssets').click();
  await expect(page.getByTestId('recon-known')).toContainText('0 field(s) marked unknown');
  await page.getByTestId('recon-known').locator('summary').click();

  await page.getByTestId('recon-samples').fill('60');
  await page.getByTestId('recon-eval-samples').fill('1000');
  await page.getByTestId('recon-starts').fill('1');
  await page.getByTestId('recon-run').click();
  await expect(page.getByTestId('job-progress')).toBeVisible();
  await expect(page.getByTestId('job-progress')).toContainText('succeeded', { timeout: 200_000 });
  // every chart of the screen draws: the live plots of the run, the loss distribution, the convergence trace, the heatmaps
  for (const chart of ['recon-live-objective', 'recon-live-gap', 'recon-loss-chart', 'recon-trace-chart'])
    await expectCanvasDrawn(page.getByTestId(chart).locator('canvas'));
  for (const objective of ['best', 'maxent', 'worst'])
    await expectCanvasDrawn(page.getByTestId(`recon-heatmap-${objective}`).locator('canvas').first());

  const table = page.getByTestId('recon-compare');
  await expect(table.locator('tbody tr')).toHaveCount(3);
  await expect(page.getByTestId('recon-row-worst')).toContainText('Worst case');
  await expect(page.getByTestId('recon-heatmap-best').locator('canvas')).toBeVisible();
  await expect(page.getByTestId('recon-heatmap-worst').locator('canvas')).toBeVisible();
  await page.screenshot({ path: join(artifactsDir, 'reconstruction-screen.png') });
  await table.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, 'reconstruction-results.png') });
  await page.getByTestId('recon-heatmap-worst').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, 'reconstruction-heatmaps.png') });

  // The comparison sorts (the worst case has the largest in-sample E[L]) and saves as CSV: each estimate and its
  // standard error in columns of their own, with the unit in the header; the Save buttons are not exported.
  await sortTable(page, 'recon-compare', 'E[L] in sample', 'descending');
  await expect(table.locator('tbody tr').first()).toHaveAttribute('data-testid', 'recon-row-worst');
  await expect(table.locator('tbody tr').last()).toHaveAttribute('data-testid', 'recon-row-best');
  await expect(page.getByTestId('recon-row-maxent').locator('td').nth(4)).toHaveText(/^0(\.0+)?$/);
  const compare = await saveTableCsv(page, 'recon-compare');
  expect(compare.fileName).toMatch(/^Networks-of-reconstruction-run-\d+\.csv$/);
  expect(compare.lines[0]).toBe(
    'Network,E[L] in sample (EUR million),E[L] out of sample (EUR million),s.e. of E[L] (EUR million),minus maximum entropy (EUR million),' +
      's.e. of the difference (EUR million),E[L]/E[L⁰],Links,Density,Largest residual,Frank–Wolfe gap (relative),Time (s)',
  );
  expect(compare.lines.slice(1).map((line) => line.split(',')[0])).toEqual([
    'Worst case',
    'Maximum entropy',
    'Best case',
  ]);
  expect(
    compare.lines[1]!.split(',')
      .slice(1, 6)
      .every((cell) => Number.isFinite(Number(cell)) && cell !== ''),
  ).toBe(true);
  await table.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, 'reconstruction-results-sorted.png') });
  await page.setViewportSize({ width: 1024, height: 700 });
  await table.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, 'reconstruction-results-1024x700.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(artifactsDir, 'reconstruction-results-dark-1024x700.png') });
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.screenshot({ path: join(artifactsDir, 'reconstruction-results-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1400, height: 900 });

  await page.getByTestId('recon-save-worst').click();
  await expect(page.getByTestId('recon-saved')).toContainText(/Saved the worst case network as version \d+/);

  // disaggregate a node into two named parts: a job with progress in words and Cancel (a cancelled split saves nothing)
  await page.getByTestId('recon-split-node').selectOption({ index: 1 });
  await page.getByTestId('recon-split-objective').selectOption('worst');
  await page.getByTestId('recon-split-samples').fill('5000');
  await page.getByTestId('recon-split-run').click();
  const splitProgress = page.getByTestId('recon-split-progress');
  await expect(splitProgress.getByTestId('job-stage')).toContainText(/Worst case: start 1 of 1, /, { timeout: 90_000 });
  await expect(page.getByTestId('recon-split-run')).toBeDisabled();
  // Cancel at once: on an idle machine the 5,000-shock search takes seconds, not minutes, and must not finish first.
  const versionsBefore = await page.getByTestId('recon-version').locator('option').count();
  await page.getByTestId('recon-split').screenshot({ path: join(artifactsDir, 'reconstruction-split-progress.png') });
  await splitProgress.getByTestId('cancel-job').click();
  await expect(splitProgress).toContainText('cancelled');
  await expect(page.getByTestId('recon-version').locator('option')).toHaveCount(versionsBefore);
  await expect(page.getByTestId('recon-split')).toContainText(
    'minutes for thousands; the progress shows the time left, and Cancel saves nothing',
  );
  await page.emulateMedia({ colorScheme: 'dark' });
  await page
    .getByTestId('recon-split')
    .screenshot({ path: join(artifactsDir, 'reconstruction-split-cancelled-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });

  await page.getByTestId('recon-split-name-0').fill('Retail arm');
  await page.getByTestId('recon-split-name-1').fill('Investment arm');
  await page.getByTestId('recon-split-share-0').fill('3');
  await page.getByTestId('recon-split-objective').selectOption('worst');
  await page.getByTestId('recon-split-samples').fill('200');
  await page.getByTestId('recon-split-run').click();
  await expect(page.getByTestId('recon-split-result')).toContainText(
    /Saved as version \d+ and as run #\d+ for briefs\./,
    { timeout: 120_000 },
  );
  await expect(page.getByTestId('recon-split-result')).toContainText('"Retail arm": share 75.0% of p̄ and α');
  await expect(page.getByTestId('recon-split-result')).toContainText(
    /worst case of expected loss \(200 uniform shocks, seed 1; in sample E\[L\]/,
  );
  await expect(page.getByTestId('recon-split-result')).toContainText('0 < w < c');
  await page.getByTestId('recon-split').screenshot({ path: join(artifactsDir, 'reconstruction-split.png') });

  // bad input is answered with a message
  await page.getByTestId('recon-samples').fill('1');
  await page.getByTestId('recon-run').click();
  await expect(page.getByTestId('recon-error')).toContainText(/Samples must be at least \d+/);

  expectOnlyLoopback(requests);
  await host.stop();
});
