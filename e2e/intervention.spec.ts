import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { economyDocumentOf, generateEconomy } from '../src-main/engines/economy-generator';
import { ringNetwork } from '../tests/support/fixtures';
import { syntheticWiot } from '../tests/support/wiot';
import {
  artifactsDir,
  expectOnlyLoopback,
  holdAnswers,
  newDataDir,
  recordRequests,
  Shell,
  expect,
  test,
} from './support';
import { expectSortsAndSaves } from './table-checks';

test('intervene on a cross-holdings economy under correlated shocks, then bail out an interbank network', async ({
  page,
  startHost,
}) => {
  const dataDir = newDataDir();
  const host = await startHost(dataDir);
  const requests = recordRequests(page);
  const shell = new Shell(page);
  const savedRunAnswers = await holdAnswers(page, 'runs:get');
  await page.goto(host.url);
  const economyFile = join(dataDir, 'economy.json');
  writeFileSync(
    economyFile,
    JSON.stringify(economyDocumentOf(generateEconomy({ firms: 40, seed: 7 }), 'Generated 40 firms')),
  );
  await shell.importFile(economyFile);
  await expect(page.getByTestId('message')).toContainText('Imported "Generated 40 firms"');

  await shell.goTo('intervention');
  await page.setViewportSize({ width: 1440, height: 900 });
  await expect(page.getByTestId('intervention-version')).toContainText('Generated 40 firms v1');
  // Both DiscountFrac variants are offered by name, each with a line on what it does.
  await expect(page.getByTestId('intervention-method')).toContainText('DiscountFrac adapted to costs');
  await expect(page.getByTestId('intervention-method')).toContainText('DiscountFrac (published)');
  await page.getByTestId('intervention-method').selectOption({ label: 'DiscountFrac (published)' });
  await expect(page.getByTestId('intervention-method-hint')).toContainText(
    'stops at the first firm the budget cannot pay',
  );
  await page.getByTestId('intervention-scenarios').fill('400');
  await page.getByTestId('intervention-run').click();
  await expect(page.getByTestId('job-progress')).toContainText('succeeded', { timeout: 90_000 });
  const figures = page.getByTestId('intervention-figures');
  await expect(figures).toContainText('400, seed 1');
  await expect(figures).toContainText('ρ = 0.5, σ = 0.15, drift μ = -0.2');
  await expect(figures).toContainText('Failures, best / worst equilibrium');
  await expect(page.getByTestId('intervention-support').locator('tbody tr').first()).toBeVisible();
  await expect(page.getByTestId('intervention-tvar').locator('tbody tr')).toHaveCount(4);
  await expect(page.getByTestId('intervention-tail-figures')).toContainText('Importance sampling');
  await expect(page.getByTestId('intervention-tail-figures')).toContainText('Variance per sample, plain / importance');
  // The run exports as a brief from this screen, like every screen's saved runs.
  const reported = page.waitForEvent('download');
  await page.getByTestId('report-export').click();
  const report = await reported;
  expect(report.suggestedFilename()).toMatch(/^intervention-run-\d+-runs-\d+\.pdf$/);
  expect(
    readFileSync(await report.path())
      .subarray(0, 5)
      .toString('latin1'),
  ).toBe('%PDF-');
  await expect(figures).toContainText('DiscountFrac (published)');
  await expect(page.getByTestId('intervention-variants').locator('tbody tr')).toHaveCount(2);
  await expect(page.getByTestId('intervention-variants')).toContainText('DiscountFrac adapted to costs');
  // The variants, TVaR and tail-sampling tables sort (a header click, again to reverse) and save as CSV.
  for (const table of [
    {
      testid: 'intervention-variants',
      header: /^Paid/,
      column: 3,
      file: 'DiscountFrac-variants-run',
      csvHeader: 'Variant,Firms paid,Paid',
    },
    {
      testid: 'intervention-tvar',
      header: /^No intervention/,
      column: 2,
      file: 'TVaR-reduction-run',
      csvHeader: 'q,No intervention,Chosen budget,± s.e.,Reduction',
    },
    {
      testid: 'intervention-tail-table',
      header: /^P\(N ≥ m\)/,
      column: 3,
      file: 'Tail-sampling-run',
      csvHeader: 'Sampling,Samples,P(N ≥ m),± s.e.,VaR (firms),TVaR (firms)',
    },
  ]) {
    await expectSortsAndSaves(page, table);
  }
  // q = 0 is the mean; the TVaR figures are percent with their standard error in a column of its own.
  await page.getByTestId('intervention-tvar').getByRole('button', { name: /^q/ }).click();
  await expect(page.getByTestId('intervention-tvar').locator('tbody tr').first().locator('td').first()).toHaveText(
    '0 (mean)',
  );
  await expect(page.getByTestId('intervention-tvar').locator('tbody tr').first().locator('td').nth(1)).toHaveText(
    /^[\d.]+ %$/,
  );
  await expect(page.getByTestId('intervention-graph-after').locator('canvas').first()).toBeVisible();
  await page.screenshot({ path: join(artifactsDir, 'intervention-economy.png') });
  await page.getByTestId('intervention-variants').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, 'intervention-economy-variants.png') });
  await page.getByTestId('intervention-graph-after').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, 'intervention-economy-graph.png') });
  await page.getByTestId('intervention-tvar').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, 'intervention-economy-curves.png') });
  await page.getByTestId('intervention-tail-figures').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, 'intervention-economy-tail.png') });
  await page.getByTestId('intervention-toggle').click();
  await expect(page.getByTestId('intervention-graph-before').locator('canvas').first()).toBeVisible();

  // Bad input is answered with a message naming the field.
  await page.getByTestId('intervention-scenarios').fill('0');
  await page.getByTestId('intervention-run').click();
  await expect(page.getByTestId('intervention-error')).toHaveText('Scenarios must be at least 1');

  // A WIOD table through the import dialog, with its §4.1 choices, lands as an economy version.
  await shell.goTo('data');
  const wiotFile = join(dataDir, 'WIOT2014_Nov16_ROW.xlsx');
  writeFileSync(wiotFile, await syntheticWiot());
  await shell.importFile(wiotFile);
  await expect(page.getByTestId('wiod-options')).toBeVisible();
  await page.getByTestId('wiod-options').locator('input').nth(1).fill('0.2');
  await page.screenshot({ path: join(artifactsDir, 'intervention-wiod-import.png') });
  await page.getByTestId('import-confirm').click();
  await expect(page.getByTestId('message')).toContainText('Imported "WIOT2014_Nov16_ROW"');
  await shell.goTo('intervention');
  await expect(page.getByTestId('intervention-version')).toContainText('WIOT2014_Nov16_ROW v1');

  // Interbank bailouts on a small network.
  await shell.goTo('data');
  const ringFile = join(dataDir, 'ring.json');
  writeFileSync(ringFile, JSON.stringify(ringNetwork('Ring (e2e)')));
  await shell.importFile(ringFile);
  await expect(page.getByTestId('message')).toContainText('Imported "Ring (e2e)"');
  // The screen opens on its newest saved run (an economy's); a pick made while that run loads is kept.
  savedRunAnswers.hold();
  await shell.goTo('intervention');
  await page.getByTestId('intervention-target').selectOption('interbank');
  await savedRunAnswers.release();
  await expect(page.getByRole('heading', { name: /^Run #\d+$/ })).toBeVisible();
  await expect(page.getByTestId('intervention-target')).toHaveValue('interbank');
  const ring = page.getByTestId('intervention-version').locator('option', { hasText: 'Ring (e2e) v1' });
  await page.getByTestId('intervention-version').selectOption(await ring.getAttribute('value'));
  await page.getByTestId('intervention-shock').fill('90');
  await page.getByTestId('intervention-bailout-budget').fill('40');
  await page.getByTestId('intervention-run').click();
  await expect(page.getByTestId('job-progress')).toContainText('succeeded', { timeout: 60_000 });
  await expect(page.getByTestId('intervention-figures')).toContainText('defaults averted');
  await expect(page.getByTestId('intervention-runs').locator('option')).toHaveCount(2);
  await page.getByTestId('intervention-graph-after').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, 'intervention-bailout.png') });
  expectOnlyLoopback(requests);
  await host.stop();
});
