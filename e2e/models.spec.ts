import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Page } from '@playwright/test';
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

/**
 * The investors-per-mini-batch field is scrolled into view and lines up with the field on its left when both are on
 * one line (same height and bottom edge), or starts its own line at the row's left edge when the row wraps.
 */
async function expectLinedUp(page: Page) {
  const field = page.getByTestId('gt-batch-investors');
  await field.scrollIntoViewIfNeeded();
  const box = (await field.boundingBox())!;
  const left = (await page.getByTestId('gt-validation-dates').boundingBox())!;
  const rowStart = (await page.getByTestId('gt-epochs').boundingBox())!;
  expect(box.height).toBeCloseTo(left.height, 0);
  if (Math.abs(box.y - left.y) < 1) expect(box.x).toBeGreaterThan(left.x + left.width);
  else expect(box.x).toBeCloseTo(rowStart.x, 0);
}

test('generate planted holdings, train the graph transformer with a live loss curve, inspect metrics and the embedding map, cancel a run', async ({
  page,
  startHost,
}) => {
  test.setTimeout(240_000);
  const host = await startHost(newDataDir());
  const requests = recordRequests(page);
  const shell = new Shell(page);
  await page.goto(host.url);
  await shell.goTo('models');

  await page.getByTestId('gt-syn-investors').fill('60');
  await page.getByTestId('gt-syn-assets').fill('120');
  await page.getByTestId('gt-syn-dates').fill('6');
  await page.getByTestId('gt-generate').click();
  await expect(page.getByTestId('gt-dataset')).toContainText('Synthetic holdings (60 investors × 120 assets, seed 1)');

  // Bad input is answered with a message naming the field, in words.
  await page.getByTestId('gt-hidden').fill('0');
  await page.getByTestId('gt-batch-investors').fill('0');
  await page.getByTestId('gt-train').click();
  await expect(page.getByTestId('gt-error')).toContainText(/Hidden units must be at least \d+/);
  await expect(page.getByTestId('gt-error')).toContainText('Investors per mini-batch must be at least 1');

  await page.getByTestId('gt-preset-small').click();
  await page.getByTestId('gt-epochs').fill('12');
  await page.getByTestId('gt-validation-dates').fill('1');
  // Mini-batches of 20 of the 60 investors: each step on a third of the graph.
  await page.getByTestId('gt-batch-investors').fill('20');
  await page.getByTestId('gt-use-generator-stress').click();
  await expect(page.getByTestId('gt-stress-index')).toHaveValue(/2015-12-31,/);
  await page.getByTestId('gt-train').click();
  await expect(page.getByTestId('gt-live-loss')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('job-progress')).toContainText('succeeded', { timeout: 120_000 });
  await expect(page.getByTestId('gt-models').locator('tbody tr')).toHaveCount(1);
  await expect(page.getByTestId('gt-metrics')).toContainText('Trade prediction');
  await expect(page.getByTestId('gt-trade-validation')).toHaveText(/^-?\d\.\d{3}$/);
  await expect(page.getByTestId('gt-model-facts')).toContainText('seed 1');
  await expect(page.getByTestId('gt-model-batching')).toHaveText('Mini-batches: 20 investors');
  await expect(page.getByTestId('gt-groups')).toContainText('style: active');
  await expect(page.getByTestId('gt-map').locator('canvas')).toBeVisible({ timeout: 30_000 });
  // every chart drew: the live loss, correlations by report date, the loss history and the embedding map
  for (const chart of [
    page.getByTestId('gt-live-loss'),
    page.getByTestId('gt-by-date'),
    page.locator('.panel', { has: page.getByRole('heading', { name: 'Loss by epoch', exact: true }) }),
    page.getByTestId('gt-map'),
  ]) {
    await expectCanvasDrawn(chart.locator('canvas'));
  }
  await page.screenshot({ path: join(artifactsDir, 'models-screen.png') });
  await page.getByTestId('gt-metrics').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, 'models-metrics.png') });
  await page.getByTestId('gt-map').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, 'models-map.png') });

  // The three tables sort and save as CSV: correlations with three decimals on screen and every digit in the file.
  await expect(page.getByTestId('gt-model-facts')).toContainText(
    /[\d,]+ parameters [\s\S]* in (\d+ min )?\d+(\.\d+)? s ·/,
  );
  await expect(page.getByTestId('gt-map')).toContainText(/\(\d+\.\d %\s+and \d+\.\d % of variance\)/);
  for (const testid of ['gt-models', 'gt-metrics', 'gt-groups'])
    await expect(page.getByTestId(testid)).not.toContainText(/\de-\d/);
  await sortTable(page, 'gt-models', 'Parameters', 'descending');
  const modelsCsv = await saveTableCsv(page, 'gt-models');
  expect(modelsCsv.fileName).toBe('Saved-graph-transformer-models.csv');
  expect(modelsCsv.lines[0]).toBe('#,Name,Created,Parameters,Backend,Trade corr. (val.),Reconstruction corr. (val.)');
  expect(modelsCsv.lines).toHaveLength(2);
  const byModel = await sortTable(page, 'gt-metrics', 'Model', 'descending');
  expect(byModel.filter((cell) => cell !== '—').every((cell) => /^-?\d\.\d{3}$/.test(cell))).toBe(true);
  const metricsCsv = await saveTableCsv(page, 'gt-metrics');
  expect(metricsCsv.fileName).toMatch(/^Correlations-of-model-\d+\.csv$/);
  expect(metricsCsv.lines[0]).toBe('Task,Dates,Model,Baseline,Pairs');
  expect(metricsCsv.lines).toHaveLength(5);
  const byGroup = await sortTable(page, 'gt-groups', 'Trade, model', 'descending');
  expect(byGroup.length).toBeGreaterThan(1);
  await sortTable(page, 'gt-groups', 'Positions', 'ascending');
  const groupsCsv = await saveTableCsv(page, 'gt-groups');
  expect(groupsCsv.fileName).toMatch(/^Correlations-by-investor-type-and-style-model-\d+\.csv$/);
  expect(groupsCsv.lines[0]).toBe('Investors,"Trade, model","Trade, baseline","Reconstr., model",Positions');
  expect(groupsCsv.lines).toHaveLength(byGroup.length + 1);
  await page.getByTestId('gt-metrics').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, 'models-tables-sorted.png') });
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.getByTestId('gt-metrics').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, 'models-tables-1024x700.png') });
  await expectLinedUp(page);
  await page.screenshot({ path: join(artifactsDir, 'models-config-1024x700.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(artifactsDir, 'models-config-dark-1024x700.png') });
  await page.getByTestId('gt-metrics').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, 'models-tables-dark-1024x700.png') });
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.getByTestId('gt-models').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, 'models-tables-dark.png') });
  await expectLinedUp(page);
  await page.screenshot({ path: join(artifactsDir, 'models-config-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: join(artifactsDir, 'models-config.png') });
  await page.setViewportSize({ width: 1400, height: 900 });

  // A long run is cancelled: nothing is saved.
  await page.getByTestId('gt-epochs').fill('5000');
  await page.getByTestId('gt-train').click();
  await expect(page.getByTestId('gt-live-loss')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('cancel-job').click();
  await expect(page.getByTestId('job-progress')).toContainText('cancelled');
  await expect(page.getByTestId('gt-models').locator('tbody tr')).toHaveCount(1);

  expectOnlyLoopback(requests);
  await host.stop();
});

test('import holdings from an XLSX workbook with a column mapped by hand, then find them on the Models screen', async ({
  page,
  startHost,
}) => {
  const dataDir = newDataDir();
  const host = await startHost(dataDir);
  const shell = new Shell(page);
  await page.goto(host.url);
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('positions');
  sheet.addRow(['Manager', 'ISIN', 'Report date', 'Market value', 'AUM']);
  for (const date of ['2024-03-31', '2024-06-30', '2024-09-30']) {
    for (let k = 0; k < 12; k++)
      for (let j = 0; j < 9; j++)
        if ((k + j) % 3 === 0) sheet.addRow([`M${k}`, `X${j}`, new Date(`${date}T00:00:00Z`), 10 + k * j, 1000 + k]);
  }
  const file = join(dataDir, 'holdings.xlsx');
  await book.xlsx.writeFile(file);
  await shell.importFile(file);
  await page.getByTestId('map-holdings-investor').selectOption('Manager');
  await page.getByTestId('import-holdings').click();
  await expect(page.getByTestId('message')).toContainText('12 investors, 9 assets, 108 positions');
  await expect(page.getByTestId('holdings-summary')).toContainText('108 positions');
  await shell.goTo('models');
  await expect(page.getByTestId('gt-dataset')).toContainText('holdings — 108 positions');
  await host.stop();
});
