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

test('simulate a fire sale, train the dual network with a live loss curve, cancel a reproduction', async ({
  page,
  startHost,
}) => {
  test.setTimeout(180_000);
  const host = await startHost(newDataDir());
  const requests = recordRequests(page);
  const shell = new Shell(page);
  await page.goto(host.url);
  await shell.goTo('firesales');

  // Case study 1 (linear) at the most severe shock: both banks sell everything, p = 1 − 0.15 · 2 = 0.7.
  await expect(page.getByTestId('firesale-outcome')).toContainText('converged');
  const price = (asset: string) =>
    page.getByTestId('firesale-prices').locator('tbody tr', { hasText: asset }).first().locator('td').nth(1);
  await expect(price('asset 1')).toHaveText('0.7000');
  // A milder scenario: equal liabilities 0.62 give the root of p² − 1.45p + 0.465 = 0.
  await page.getByTestId('firesale-shock').fill('0.62');
  await page.getByTestId('firesale-simulate').click();
  const b = 1.45;
  const root = (b + Math.sqrt(b * b - 4 * 0.465)) / 2;
  await expect(price('asset 1')).toHaveText(root.toFixed(4));
  // Simulate saves the equilibrium as a run, with a Report button for its brief (loading only previews it).
  await expect(page.getByTestId('firesale-saved')).toContainText(/Saved as run #\d+/);
  await expect(page.getByTestId('firesale-saved').getByTestId('report-export')).toBeEnabled();
  await page
    .getByTestId('firesale-saved')
    .locator('xpath=..')
    .screenshot({ path: join(artifactsDir, 'firesales-saved.png') });
  for (const chart of ['firesale-price-path', 'firesale-liquidation-path', 'firesale-loss-bars'])
    await expectCanvasDrawn(page.getByTestId(chart).locator('canvas'));

  // Train briefly on the CPU backend, with the Inclusive Model; the loss curve grows while it runs, and the model is
  // saved with its backend.
  await page.getByTestId('idf-samples').fill('300');
  await page.getByTestId('idf-epochs').fill('150');
  await page.getByTestId('idf-backend').selectOption('cpu');
  await page.getByLabel('Inclusive Model').check();
  await page.getByTestId('idf-train').click();
  await expect(page.getByTestId('idf-loss')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('job-progress')).toContainText('succeeded', { timeout: 120_000 });
  await expect(page.getByTestId('idf-backend-used')).toHaveText(/^CPU \(plain JavaScript\) on /);
  await expect(page.getByTestId('idf-corr')).not.toBeEmpty();
  // The models' test price errors in one notation with 3 significant digits: all as 2.31 × 10⁻⁵ or all as 0.00231,
  // never '2.310 × 10⁻⁵ — Linear Price Model 0.0001234'.
  const models = (figure: string) =>
    `Proposed Model ${figure} — Linear Price Model ${figure} — Inclusive Model ${figure}`;
  const tiny = String.raw`\d\.\d\d × 10⁻[¹²³⁴⁵⁶⁷⁸⁹⁰]+`;
  const plain = String.raw`(?:0\.0*[1-9]\d\d|[1-9]\.\d\d|[1-9]\d\.\d|[1-9]\d\d)`;
  await expect(page.getByTestId('idf-mse')).toHaveText(new RegExp(`^(?:${models(tiny)}|${models(plain)})$`));
  for (const chart of ['idf-loss-chart', 'idf-curve-chart', 'idf-bank-chart'])
    await expectCanvasDrawn(page.getByTestId(chart).locator('canvas'));
  await page.getByTestId('idf-metrics').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, 'firesales-training.png') });
  // The backend in words (no package or backend identifier) beside the Backend picker, light and dark, two sizes.
  await expect(page.getByTestId('idf-backend-used')).not.toContainText(/@tensorflow|tfjs|\bcpu\b/);
  await expect(page.getByTestId('idf-backend').locator('option')).toHaveText([
    'auto (best available)',
    'WebGPU',
    'WebAssembly',
    'CPU (plain JavaScript)',
  ]);
  const viewport = page.viewportSize()!;
  for (const scheme of ['light', 'dark'] as const)
    for (const [width, height] of [
      [1440, 900],
      [1024, 700],
    ] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width, height });
      await page.getByTestId('idf-metrics').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(artifactsDir, `firesales-training-${scheme}-${width}x${height}.png`) });
    }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(viewport);

  // The EBA sovereign instance loads and simulates.
  await page.getByTestId('firesale-example').selectOption('eba-2011');
  await page.getByTestId('firesale-load').click();
  await expect(page.getByTestId('firesale-banks').locator('tbody tr')).toHaveCount(90);
  await expect(page.getByTestId('firesale-eba-note')).toContainText('90 banks here, 87 on the interbank screens');
  await expect(page.getByTestId('firesale-eba-note')).toContainText('DE029');
  // Every sovereign's price is listed, none cut off.
  await expect.poll(() => page.getByTestId('firesale-prices').locator('tbody tr').count()).toBeGreaterThan(8);
  await expect(page.getByTestId('firesale-prices')).not.toContainText('…');
  await expect(page.getByTestId('firesale-outcome')).toContainText('converged');
  // Amounts in whole EUR million with separators (not '184,973.2357'), tiny errors as 6.1 × 10⁻¹⁴ (not '6.1e-14').
  await expect(page.getByTestId('firesale-total-loss')).toHaveText(/^\d{1,3}(,\d{3})* EUR million$/);
  await expect(page.getByTestId('firesale-outcome')).not.toContainText(/\de[-+]\d/);
  await page.screenshot({ path: join(artifactsDir, 'firesales-screen.png'), fullPage: true });

  // The reproduction starts and can be cancelled.
  await page.getByTestId('repro-run').click();
  const progress = page.getByTestId('job-progress').last();
  await progress.getByTestId('cancel-job').click();
  await expect(progress).toContainText('cancelled');

  expectOnlyLoopback(requests);
  await host.stop();
});
