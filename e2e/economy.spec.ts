import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { smallEconomy } from '../tests/support/economy';
import { artifactsDir, expectOnlyLoopback, newDataDir, recordRequests, Shell, expect, test } from './support';

const economy = { ...smallEconomy(), name: 'Three firms (e2e)' };

test('edit a cross-holdings economy: column sums stay below 1, undo, save a version', async ({ page, startHost }) => {
  const dataDir = newDataDir();
  const host = await startHost(dataDir);
  const requests = recordRequests(page);
  const shell = new Shell(page);
  await page.goto(host.url);
  const file = join(dataDir, 'economy.json');
  writeFileSync(file, JSON.stringify(economy));
  await shell.importFile(file);
  await expect(page.getByTestId('message')).toContainText('Imported "Three firms (e2e)"');

  await shell.goTo('network');
  await page.getByTestId('view-economy').click();
  await expect(page.getByTestId('economy-version')).toContainText('(3 firms), 2 cross-holdings');
  await expect(page.getByTestId('economy-firms')).toContainText('50.00 %');

  await page.getByTestId('cross-holder').selectOption('F2');
  await page.getByTestId('cross-issuer').selectOption('F3');
  await page.getByTestId('cross-share').fill('0.85');
  await expect(page.getByTestId('cross-problem')).toContainText('would sum to 1.0500');
  await expect(page.getByTestId('cross-set')).toBeDisabled();
  await page.getByTestId('cross-share').fill('0.5');
  await page.getByTestId('cross-set').click();
  await expect(page.getByTestId('economy-firms')).toContainText('70.00 %');
  await page.getByTestId('economy-undo').click();
  await expect(page.getByTestId('economy-firms')).toContainText('50.00 %');

  const threshold = page.getByTestId('economy-firms').locator('tbody tr').first().locator('input').first();
  await threshold.fill('75');
  await threshold.press('Tab');
  await page.getByTestId('economy-save').click();
  await expect(page.getByTestId('economy-message')).toContainText('Saved as version 2');
  await expect(page.getByTestId('economy-canvas').locator('canvas').first()).toBeVisible();
  await page.screenshot({ path: join(artifactsDir, 'economy-editor.png') });
  expectOnlyLoopback(requests);
  await host.stop();
});
