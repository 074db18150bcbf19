import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { smallEconomy } from '../tests/support/economy';
import {
  artifactsDir,
  expectOnlyLoopback,
  newDataDir,
  recordRequests,
  saveTableCsv,
  Shell,
  sortTable,
  expect,
  test,
} from './support';

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
  await expect(page.getByTestId('cross-problem')).toContainText('would sum to 105.00 % (must stay below 100 %)');
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

  // The three tables sort by any column (edit fields by their value) and save as CSV with the raw figures.
  expect(await sortTable(page, 'economy-firms', 'Held by other firms', 'descending')).toEqual([
    '50.00 %',
    '0.00 %',
    '0.00 %',
  ]);
  expect(await sortTable(page, 'economy-firms', 'Threshold θ', 'ascending')).toEqual(['50', '50', '75']);
  const firms = await saveTableCsv(page, 'economy-firms');
  expect(firms.fileName).toBe('Firms-of-Three-firms-e2e.csv');
  expect(firms.lines).toEqual([
    'Firm,Threshold θ,Failure cost β,Held by other firms',
    'F2,50,10,0',
    'F3,50,10,0.5',
    'F1,75,10,0',
  ]);
  expect(await sortTable(page, 'economy-cross-holdings', 'Share of issuer held', 'descending')).toEqual([
    '30.00 %',
    '20.00 %',
  ]);
  const crossHoldings = await saveTableCsv(page, 'economy-cross-holdings');
  expect(crossHoldings.fileName).toBe('Cross-holdings-of-Three-firms-e2e.csv');
  expect(crossHoldings.lines).toEqual(['Holder,Issuer,Share of issuer held', 'F2,F3,0.3', 'F1,F3,0.2']);
  expect(await sortTable(page, 'economy-assets', 'Asset', 'descending')).toEqual(['F3_out', 'F2_out', 'F1_out']);
  const assets = await saveTableCsv(page, 'economy-assets');
  expect(assets.fileName).toBe('Assets-of-Three-firms-e2e.csv');
  expect(assets.lines).toEqual([
    'Asset,Price,Held by (share of the asset)',
    'F3_out,100,F3 100 %',
    'F2_out,100,F2 100 %',
    'F1_out,100,F1 100 %',
  ]);
  // A sorted table still edits the firm in its row: F1's failure cost, now in the last row.
  const failureCost = page.getByTestId('economy-firms').getByLabel('Failure cost β of F1');
  await failureCost.fill('12');
  await failureCost.press('Tab');
  await expect(page.getByTestId('economy-save')).toBeEnabled();
  expect((await saveTableCsv(page, 'economy-firms')).lines.at(-1)).toBe('F1,75,12,0');
  await page.getByTestId('economy-firms').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, 'economy-tables.png') });
  expectOnlyLoopback(requests);
  await host.stop();
});
