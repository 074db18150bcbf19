import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Download } from '@playwright/test';
import { randomSparseNetwork } from '../src-main/engines/synthetic';
import { networkToParquet } from '../src-main/io/network-parquet';
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

test('import a node CSV with its liability CSV through the mapping dialog; two bad rows are named', async ({
  page,
  startHost,
}) => {
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

  // The audit trail: this import newest first (the refused one left no entry), the bundled sample's before it; the chain verifies.
  const trail = page.getByTestId('audit-trail');
  const newest = trail.getByTestId('audit-entries').locator('tbody tr').first();
  await expect(newest).toContainText('Imported');
  await expect(newest).toContainText('banks.csv + exposures.csv');
  await expect(trail.getByTestId('audit-entries')).toContainText('eba-2011-disclosure');
  await expect(trail.getByTestId('audit-entries')).not.toContainText('exposures-bad.csv');
  await trail.getByTestId('audit-verify').click();
  await expect(trail.getByTestId('audit-verdict')).toContainText(/^Intact: \d+ entries checked/);
  for (const [width, height] of [
    [1440, 900],
    [1024, 700],
  ] as const) {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width, height });
      await page.emulateMedia({ colorScheme });
      await trail.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(artifactsDir, `data-audit-trail-${width}x${height}-${colorScheme}.png`) });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  expectOnlyLoopback(requests);
  await host.stop();
});

test('import a Parquet node table with its Parquet liability table, and export a version as Parquet', async ({
  page,
  startHost,
}) => {
  const dataDir = newDataDir();
  const host = await startHost(dataDir);
  const shell = new Shell(page);
  await page.goto(host.url);
  await expect(shell.datasetRows()).toHaveCount(1);
  const document = { ...randomSparseNetwork(200, 10, 4), name: 'Parquet banks', currency: 'EUR', unit: 'million' };
  const files = networkToParquet(document);
  const nodes = join(dataDir, 'banks-nodes.parquet');
  const liabilities = join(dataDir, 'banks-liabilities.parquet');
  writeFileSync(nodes, files.nodes);
  writeFileSync(liabilities, files.liabilities);

  // The same mapping dialog as a CSV pair: the binary files go up once each and are previewed by the main process.
  await shell.importFile(nodes);
  const dialog = page.getByTestId('import-dialog');
  await expect(dialog).toContainText('banks-nodes.parquet');
  await expect(dialog).toContainText('200 rows, first 5 shown');
  await expect(page.getByTestId('map-node-id')).toHaveValue('id');
  await expect(page.getByTestId('map-node-outsideAssets')).toHaveValue('outsideAssets');
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('import-second').click();
  await (await chooser).setFiles(liabilities);
  await expect(dialog).toContainText('2,000 rows, first 5 shown');
  await expect(page.getByTestId('map-edge-debtor')).toHaveValue('debtor');
  await expect(page.getByTestId('map-edge-amount')).toHaveValue('amount');
  await page.getByTestId('import-confirm').click();
  await expect(page.getByTestId('message')).toContainText('Imported "Parquet banks": 200 nodes.');
  await expect(shell.datasetRows()).toHaveCount(2);
  await expect(page.getByTestId('dataset-detail')).toContainText('banks-nodes.parquet + banks-liabilities.parquet');
  await page.screenshot({ path: join(artifactsDir, 'import-parquet-pair.png'), fullPage: true });

  // The export menu offers Parquet: two files, nodes and liabilities, each a Parquet file.
  const downloads: Download[] = [];
  page.on('download', (download) => downloads.push(download));
  await page.getByTestId('export-format').selectOption('parquet');
  await page.getByTestId('versions').getByRole('button', { name: 'Export' }).first().click();
  await expect.poll(() => downloads.length).toBe(2);
  expect(downloads.map((d) => d.suggestedFilename())).toEqual([
    'parquet-banks-v1-nodes.parquet',
    'parquet-banks-v1-liabilities.parquet',
  ]);
  for (const download of downloads) {
    expect(
      readFileSync(await download.path())
        .subarray(0, 4)
        .toString(),
    ).toBe('PAR1');
  }
  await expect(page.getByTestId('versions-message')).toContainText(
    'Exported to parquet-banks-v1-nodes.parquet and parquet-banks-v1-liabilities.parquet.',
  );
  await host.stop();
});

test('import a holdings CSV and see it as a bipartite graph of the largest holders', async ({ page, startHost }) => {
  const dataDir = newDataDir();
  const host = await startHost(dataDir);
  const shell = new Shell(page);
  await page.goto(host.url);
  const lines = ['fund,security,report_date,market_value,investor_type'];
  for (let k = 0; k < 60; k++)
    for (let j = 0; j < 90; j++)
      if ((k * 7 + j) % 5 === 0)
        lines.push(`F${k},S${j},2024-06-30,${(k + 1) * (j + 3)},${k % 2 ? 'pension' : 'mutual fund'}`);
  const file = join(dataDir, 'holdings.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  await shell.importFile(file);
  await page.getByRole('button', { name: 'Import as holdings' }).click();
  await expect(page.getByTestId('message')).toContainText('60 investors, 90 assets');
  await expect(page.getByTestId('holdings-summary')).toContainText(
    `${(lines.length - 1).toLocaleString('en-US')} positions`,
  );
  await shell.goTo('network');
  await page.getByTestId('view-holdings').click();
  await expect(page.getByTestId('holdings-legend')).toContainText('40 investors (left) and 80 assets (right)');
  await expect(page.getByTestId('holdings-legend')).toContainText('hidden: 20 investors, 10 assets');
  await expectCanvasDrawn(page.getByTestId('holdings-canvas'));
  await page.screenshot({ path: join(artifactsDir, 'holdings-graph.png') });
  await host.stop();
});
