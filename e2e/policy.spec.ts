import { join } from 'node:path';
import { artifactsDir, expectCanvasDrawn, expectOnlyLoopback, newDataDir, recordRequests, Shell, expect, test } from './support';

test('policy lab: optimal wedges, welfare of predictive vs causal models, a forecast from CSV, a saved run', async ({ page, startHost }) => {
  const host = await startHost(newDataDir());
  const requests = recordRequests(page);
  const shell = new Shell(page);
  await page.setViewportSize({ width: 1400, height: 2400 }); // the results are long: screenshots show them whole
  await page.goto(host.url);
  await shell.goTo('policy');

  // The worked example loads with its intermediaries and computes.
  await expect(page.getByTestId('policy-intermediaries')).toContainText('Banks');
  await page.getByTestId('policy-compute').click();
  const wedges = page.getByTestId('policy-wedges');
  await expect(wedges.locator('tbody tr')).toHaveCount(2);
  await expect(page.getByTestId('policy-inputs')).toContainText('seed 7');
  await expect(page.getByTestId('policy-inputs')).toContainText('320 draws');
  await expect(page.getByTestId('policy-welfare').locator('tbody tr')).toHaveCount(5);
  await expect(page.getByTestId('policy-prop2')).toContainText('½tr(Ψ₀Σ₀^τ)');
  await expect(page.getByTestId('policy-transfers')).toContainText('asset-retention subsidy');
  await expect(page.getByTestId('policy-exante-results')).toContainText('τ* with predictive model');
  // τ* taxes corporate-bond sales in this example
  const bondWedge = Number(await wedges.locator('tbody tr').first().locator('td').nth(1).textContent());
  expect(bondWedge).toBeGreaterThan(0);
  // the welfare chart drew
  await expectCanvasDrawn(page.locator('.panel', { has: page.getByRole('heading', { name: /^Welfare gains/ }) }).locator('canvas'));
  await page.screenshot({ path: join(artifactsDir, 'policy-screen.png') });
  await page.getByTestId('policy-results').screenshot({ path: join(artifactsDir, 'policy-results.png') });

  // A forecast of liquidations imported from a CSV file sets its own wedges (Corollary 1).
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('policy-forecast-import').click();
  await (await chooser).setFiles({ name: 'forecast.csv', mimeType: 'text/csv', buffer: Buffer.from('asset,predicted\nCorpBonds,12\nTreasuries,40\n') });
  await expect(page.getByTestId('policy-forecast')).toHaveValue(/CorpBonds,12/);
  await page.getByTestId('policy-compute').click();
  await expect(page.getByTestId('policy-forecast-wedges')).toHaveCount(2);

  // Bad input: an unknown asset in the forecast is named, nothing is saved.
  await page.getByTestId('policy-forecast').fill('asset,predicted\nGold,3\n');
  await page.getByTestId('policy-save').click();
  await expect(page.getByTestId('policy-error')).toContainText('unknown asset "Gold"');
  await expect(page.getByTestId('policy-runs')).toHaveCount(0);

  // Edited inputs, then saved as a run for briefs.
  await page.getByTestId('policy-forecast').fill('');
  await page.getByTestId('policy-seed').fill('3');
  await page.getByTestId('policy-noise').fill('0');
  await page.getByTestId('policy-exante').uncheck();
  await page.getByTestId('policy-save').click();
  await expect(page.getByTestId('policy-result-title')).toContainText('run #');
  await expect(page.getByTestId('policy-inputs')).toContainText('seed 3');
  await expect(page.getByTestId('policy-runs').locator('option')).toHaveCount(2);

  // The larger example: three sectors, three assets.
  await page.getByTestId('policy-example').selectOption('policy-three-sectors.json');
  await page.getByTestId('policy-load-example').click();
  await expect(page.getByTestId('policy-intermediaries')).toContainText('Insurers');
  await page.getByTestId('policy-compute').click();
  await expect(wedges.locator('tbody tr')).toHaveCount(3);
  await expect(page.getByTestId('policy-psi').locator('tbody tr')).toHaveCount(9);
  await page.getByTestId('policy-results').screenshot({ path: join(artifactsDir, 'policy-three-sectors.png') });

  expectOnlyLoopback(requests);
  await host.stop();
});
