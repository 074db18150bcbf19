import { join } from 'node:path';
import { largePolicyDocument } from '../tests/support/policy';
import {
  artifactsDir,
  expectCanvasDrawn,
  expectOnlyLoopback,
  newDataDir,
  readFigure,
  recordRequests,
  saveTableCsv,
  Shell,
  sortTable,
  expect,
  test,
} from './support';

test('policy lab: a job with progress and Cancel, optimal wedges, welfare of predictive vs causal models, a forecast from CSV, saved runs', async ({
  page,
  startHost,
}) => {
  test.setTimeout(240_000);
  const host = await startHost(newDataDir());
  const requests = recordRequests(page);
  const shell = new Shell(page);
  await page.setViewportSize({ width: 1400, height: 2400 }); // the results are long: screenshots show them whole
  await page.goto(host.url);
  await shell.goTo('policy');
  const runOptions = page.getByTestId('policy-runs').locator('option'); // "—", then one per saved run

  // The worked example loads with its intermediaries and computes as a job, saved as run #1.
  await expect(page.getByTestId('policy-intermediaries')).toContainText('Banks');
  await page.getByTestId('policy-compute').click();
  const wedges = page.getByTestId('policy-wedges');
  await expect(wedges.locator('tbody tr')).toHaveCount(2, { timeout: 60_000 });
  await expect(page.getByTestId('policy-result-title')).toContainText('run #1');
  await expect(runOptions).toHaveCount(2);
  await expect(page.getByTestId('policy-inputs')).toContainText('seed 7');
  await expect(page.getByTestId('policy-inputs')).toContainText('320 draws');
  await expect(page.getByTestId('policy-welfare').locator('tbody tr')).toHaveCount(5);
  await expect(page.getByTestId('policy-prop2')).toContainText('½tr(Ψ₀Σ₀^τ)');
  await expect(page.getByTestId('policy-transfers')).toContainText('asset-retention subsidy');
  await expect(page.getByTestId('policy-exante-results')).toContainText('τ* with predictive model');
  // τ* taxes corporate-bond sales in this example; one notation per column (no "e-" anywhere in the results)
  const bondWedge = readFigure((await wedges.locator('tbody tr').first().locator('td').nth(1).textContent()) ?? '');
  expect(bondWedge).toBeGreaterThan(0);
  await expect(page.getByTestId('policy-results')).not.toContainText(/\de-\d/);
  // the welfare chart drew
  await expectCanvasDrawn(
    page.locator('.panel', { has: page.getByRole('heading', { name: /^Welfare gains/ }) }).locator('canvas'),
  );
  await page.screenshot({ path: join(artifactsDir, 'policy-screen.png') });
  await page.getByTestId('policy-results').screenshot({ path: join(artifactsDir, 'policy-results.png') });

  // The welfare table sorts (the full-information regulator values its model most) and saves as CSV: each Monte
  // Carlo figure and its standard error in columns of their own, the unit in the header.
  await sortTable(page, 'policy-welfare', 'Value of model', 'descending');
  await expect(page.getByTestId('policy-welfare').locator('tbody tr').first()).toHaveAttribute(
    'data-testid',
    'policy-welfare-full',
  );
  const welfareCsv = await saveTableCsv(page, 'policy-welfare');
  expect(welfareCsv.fileName).toBe('Expected-welfare-by-model-of-policy-run-1.csv');
  expect(welfareCsv.lines[0]).toBe(
    "Regulator's model,E₀[V] (EUR billion),± s.e.,Gain vs no intervention,± s.e.,Value of model,± s.e.,tr Σ₀^τ,E₀[Δ(τ*)],± s.e.",
  );
  expect(welfareCsv.lines.slice(1).map((line) => line.split(',')[0])).toEqual([
    'Full information',
    'Causal',
    'Predictive (noise 0.5)',
    'No model (prior)',
    'No intervention',
  ]);
  expect(
    welfareCsv.lines[1]!.split(',')
      .slice(1)
      .every((cell) => Number.isFinite(Number(cell)) && cell !== ''),
  ).toBe(true);
  await page.getByTestId('policy-welfare').scrollIntoViewIfNeeded();
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.getByTestId('policy-results').screenshot({ path: join(artifactsDir, 'policy-results-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });

  // A forecast of liquidations imported from a CSV file sets its own wedges (Corollary 1): run #2.
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('policy-forecast-import').click();
  await (
    await chooser
  ).setFiles({
    name: 'forecast.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('asset,predicted\nCorpBonds,12\nTreasuries,40\n'),
  });
  await expect(page.getByTestId('policy-forecast')).toHaveValue(/CorpBonds,12/);
  await page.getByTestId('policy-compute').click();
  await expect(page.getByTestId('policy-forecast-wedges')).toHaveCount(2, { timeout: 60_000 });
  await expect(page.getByTestId('policy-result-title')).toContainText('run #2');

  // Bad input: an unknown asset in the forecast is named at once, no job starts, nothing is saved.
  await page.getByTestId('policy-forecast').fill('asset,predicted\nGold,3\n');
  await page.getByTestId('policy-compute').click();
  await expect(page.getByTestId('policy-error')).toContainText('unknown asset "Gold"');
  await expect(runOptions).toHaveCount(3);

  // Edited inputs, then saved as run #3 for briefs.
  await page.getByTestId('policy-forecast').fill('');
  await page.getByTestId('policy-seed').fill('3');
  await page.getByTestId('policy-noise').fill('0');
  await page.getByTestId('policy-exante').uncheck();
  await page.getByTestId('policy-compute').click();
  await expect(page.getByTestId('policy-result-title')).toContainText('run #3', { timeout: 60_000 });
  await expect(page.getByTestId('policy-inputs')).toContainText('seed 3');
  await expect(runOptions).toHaveCount(4);

  // A large configuration (20 intermediaries × 10 assets, 100 × 200 draws) takes long enough to watch: the stage in
  // words with k of n, the time so far and left, the button off; Cancel stops the worker and saves no run.
  const large = page.waitForEvent('filechooser');
  await page.getByTestId('policy-import').click();
  await (
    await large
  ).setFiles({
    name: 'large.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(largePolicyDocument(10, 20, 100, 200))),
  });
  await expect(page.getByTestId('policy-intermediaries')).toContainText('Fund20');
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.getByTestId('policy-compute').click();
  const progress = page.getByTestId('policy-progress');
  await expect(progress.getByTestId('job-stage')).toHaveText(
    /^\d+ % — (Drawing the regulator's prior: causal draw [\d,]+ of 100|Solving the equilibrium of each draw: [\d,]+ of 20,000 draws|(No model|Causal model|Full information): welfare and its standard error over the draws, [\d,]+ of 40,000 evaluations|Predictive model: wedges on signal [\d,]+ of 2,000|Causal model: wedges for causal draw [\d,]+ of 100)$/,
    { timeout: 60_000 },
  );
  await expect(progress.getByTestId('job-time')).toHaveText(/^[\d.]+ s so far, about .+ left$/, { timeout: 60_000 });
  await expect(page.getByTestId('policy-compute')).toBeDisabled();
  await progress.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, 'policy-progress.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(artifactsDir, 'policy-progress-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  await progress.getByTestId('cancel-job').click();
  await expect(progress).toContainText('cancelled');
  await expect(page.getByTestId('policy-compute')).toBeEnabled();
  await expect(runOptions).toHaveCount(4);
  await expect(page.getByTestId('policy-result-title')).toContainText('run #3');
  await page.setViewportSize({ width: 1400, height: 2400 });

  // The larger example: three sectors, three assets.
  await page.getByTestId('policy-example').selectOption('policy-three-sectors.json');
  await page.getByTestId('policy-load-example').click();
  await expect(page.getByTestId('policy-intermediaries')).toContainText('Insurers');
  await page.getByTestId('policy-compute').click();
  await expect(wedges.locator('tbody tr')).toHaveCount(3, { timeout: 60_000 });
  await expect(page.getByTestId('policy-psi').locator('tbody tr')).toHaveCount(9);
  await expect(page.getByTestId('policy-sigma').locator('tbody tr')).toHaveCount(9);
  await page.getByTestId('policy-results').screenshot({ path: join(artifactsDir, 'policy-three-sectors.png') });

  expectOnlyLoopback(requests);
  await host.stop();
});
