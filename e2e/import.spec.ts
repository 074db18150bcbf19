import { expect, test } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactsDir, expectOnlyLoopback, newDataDir, recordRequests, Shell, startHost } from './support';

test('import a node CSV with its liability CSV through the mapping dialog; two bad rows are named', async ({ page }) => {
  const dataDir = newDataDir();
  const host = await startHost(dataDir);
  const requests = recordRequests(page);
  const shell = new Shell(page);
  await page.goto(host.url);
  await expect(shell.datasetRows()).toHaveCount(1);

  const nodes = join(dataDir, 'banks.csv');
  writeFileSync(nodes, 'bank,Bank name,c,b\nB1,First,100,80\nB2,Second,120,90\nB3,Third,90,70\n');
  const badEdges = join(dataDir, 'exposures-bad.csv');
  writeFileSync(badEdges, 'from,to,exposure\nB1,B2,10\nB2,B9,5\nB3,B1,-4\nB3,B2,7\n');
  const goodEdges = join(dataDir, 'exposures.csv');
  writeFileSync(goodEdges, 'from,to,exposure\nB1,B2,10\nB2,B3,5\nB3,B1,4\n');

  await shell.importFile(nodes);
  const dialog = page.getByTestId('import-dialog');
  await expect(dialog).toContainText('banks.csv');
  await expect(page.getByTestId('map-node-id')).toHaveValue('bank');
  await expect(page.getByTestId('map-node-outsideAssets')).toHaveValue('c');
  await page.getByTestId('map-node-name').selectOption('Bank name');

  let chooser = page.waitForEvent('filechooser');
  await page.getByTestId('import-second').click();
  await (await chooser).setFiles(badEdges);
  await expect(page.getByTestId('map-edge-debtor')).toHaveValue('from');
  await expect(page.getByTestId('map-edge-amount')).toHaveValue('exposure');
  await page.getByTestId('import-confirm').click();
  const error = page.getByTestId('import-error');
  await expect(error).toContainText('row 3');
  await expect(error).toContainText('B9');
  await expect(error).toContainText('row 4');
  await expect(error).toContainText('≥ 0');
  await page.screenshot({ path: join(artifactsDir, 'import-row-errors.png'), fullPage: true });
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(shell.datasetRows()).toHaveCount(1);

  await shell.importFile(nodes);
  await page.getByTestId('map-node-name').selectOption('Bank name');
  chooser = page.waitForEvent('filechooser');
  await page.getByTestId('import-second').click();
  await (await chooser).setFiles(goodEdges);
  await page.getByTestId('import-confirm').click();
  await expect(page.getByTestId('message')).toContainText('3 nodes');
  await expect(shell.datasetRows()).toHaveCount(2);
  await expect(page.getByTestId('dataset-detail')).toContainText('banks.csv + exposures.csv');
  expectOnlyLoopback(requests);
  await host.stop();
});
