import { join } from 'node:path';
import { artifactsDir, expectOnlyLoopback, newDataDir, recordRequests, Shell, expect, test } from './support';

test('reconstruct the EBA network by maximum entropy, stress test it, compare two runs', async ({ page, startHost }) => {
  const host = await startHost(newDataDir());
  const requests = recordRequests(page);
  const shell = new Shell(page);
  await page.goto(host.url);

  await expect(page.getByTestId('dataset-detail')).toContainText('87 kept');
  await page.locator('[data-testid^="maxent-"]').first().click();
  await expect(page.getByTestId('message')).toContainText('maximum-entropy network');

  await shell.goTo('stress');
  await expect(page.getByTestId('stress-version')).toContainText('v2');
  await page.getByTestId('stress-samples').fill('20000');
  await page.getByTestId('stress-run').click();
  await expect(page.getByTestId('job-progress')).toContainText('succeeded', { timeout: 60_000 });
  const figures = page.getByTestId('stress-figures');
  await expect(figures).toContainText('20,000');
  await expect(figures).toContainText('E[L] / E[L⁰]');
  await expect(page.getByTestId('stress-banks').locator('tbody tr')).toHaveCount(87);
  await expect(page.getByTestId('network-view').locator('canvas').first()).toBeVisible();

  // A second run with larger shocks, compared side by side.
  await page.getByTestId('stress-max-fraction').fill('100');
  await page.getByTestId('stress-run').click();
  await expect(page.getByTestId('job-progress')).toContainText('succeeded', { timeout: 60_000 });
  await page.getByTestId('stress-compare').selectOption({ index: 1 });
  await expect(figures.locator('thead th')).toHaveCount(3);
  await page.screenshot({ path: join(artifactsDir, 'stress-screen.png'), fullPage: true });

  // Bad input is answered with a message, not a crash.
  await page.getByTestId('stress-samples').fill('0');
  await page.getByTestId('stress-run').click();
  await expect(page.getByTestId('stress-error')).toContainText('samples: Too small: expected number to be >=1');

  expectOnlyLoopback(requests);
  await host.stop();
});
