import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  artifactsDir,
  expectCanvasDrawn,
  expectOnlyLoopback,
  holdAnswers,
  newDataDir,
  recordRequests,
  Shell,
  expect,
  test,
} from './support';
import { expectSortsAndSaves } from './table-checks';

test('reconstruct the EBA network by maximum entropy, stress test it, compare two runs', async ({
  page,
  startHost,
}) => {
  const host = await startHost(newDataDir());
  const requests = recordRequests(page);
  const shell = new Shell(page);
  const savedRunAnswers = await holdAnswers(page, 'runs:get');
  await page.goto(host.url);

  await expect(page.getByTestId('dataset-detail')).toContainText('87 kept');
  await page.locator('[data-testid^="maxent-"]').first().click();
  await expect(page.getByRole('status').filter({ hasText: 'maximum-entropy network' })).toBeVisible();

  await shell.goTo('stress');
  await expect(page.getByTestId('stress-version')).toContainText('v2');
  await page.getByTestId('stress-samples').fill('20000');
  await page.getByTestId('stress-run').click();
  await expect(page.getByTestId('job-progress')).toContainText('succeeded', { timeout: 60_000 });
  const figures = page.getByTestId('stress-figures');
  await expect(figures).toContainText('20,000');
  await expect(figures).toContainText('E[L] / E[L⁰]');
  await expect(page.getByTestId('stress-banks').locator('tbody tr')).toHaveCount(87);
  // The banks table sorts by any column (P(default), largest first after two clicks) and saves as CSV.
  const banks = page.getByTestId('stress-banks');
  await banks.getByRole('button', { name: /^P\(default\)/ }).click();
  await banks.getByRole('button', { name: /^P\(default\)/ }).click();
  await expect(banks.locator('th[aria-sort="descending"]')).toContainText('P(default)');
  const pds = (await banks.locator('tbody tr td:nth-child(3)').allInnerTexts()).map((t) =>
    Number(t.replace(/[^\d.]/g, '')),
  );
  expect(pds).toEqual([...pds].sort((x, y) => y - x));
  const bankCsv = page.waitForEvent('download');
  await page.getByTestId('stress-banks-csv').click();
  expect((await bankCsv).suggestedFilename()).toMatch(/^Banks-of-stress-run-1\.csv$/);
  // Every chart drew: the loss distribution, the number of defaults (log scale), the default probabilities, the network.
  for (const chart of ['stress-loss-chart', 'stress-defaults-chart', 'stress-pd-chart'])
    await expectCanvasDrawn(page.getByTestId(chart).locator('canvas'));
  await expectCanvasDrawn(page.getByTestId('network-view'));
  await expect(figures.locator('tr', { hasText: 'Network version' })).toContainText('v2');
  // Pickers name versions with their number, note and size, and runs in words; the version picker follows the run shown.
  const versionPicked = page.getByTestId('stress-version').locator('option:checked');
  await expect(versionPicked).toHaveText(/ v2 — .*maximum.entropy.* \(87 banks\), [\d,]+ liabilities$/);
  await expect(page.getByTestId('stress-shown-run').locator('option:checked')).toHaveText(
    /^#1 stress test — Eisenberg–Noe clearing, uniform shocks \(\d{4}-\d\d-\d\d \d\d:\d\d\)$/,
  );
  // NVI (β⁺) is explained where it appears: its "?" opens the glossary at the entry.
  await expect(figures.locator('tr', { hasText: 'NVI (β⁺)' })).toContainText('β⁺ = ');
  // The expected number of defaults says which part is contagion (it read '44.094 ± 0.031 (1.980)'), to the digits of its s.e.
  await expect(page.getByTestId('stress-figure-defaults').locator('td').nth(1)).toHaveText(
    /^\d+\.(\d+) ± 0\.0*\d\d, \d+\.\d+ of them by contagion$/,
  );
  // Every figure with its unit, thousands separators and the digits its standard error allows ('1,246,717 ± 1,021 EUR million',
  // not '1,246,717.0 ± 1,021.0'); probabilities as percent, counts as integers, the run time in seconds.
  const amountWithError = /^\d{1,3}(,\d{3})*(\.\d+)? ± \d{1,3}(,\d{3})*(\.\d+)? EUR million$/;
  for (const key of ['el', 'el0', 'es-0.99'])
    await expect(page.getByTestId(`stress-figure-${key}`).locator('td').nth(1)).toHaveText(amountWithError);
  for (const key of ['el', 'el0', 'es-0.99']) {
    const [value, error] = (await page.getByTestId(`stress-figure-${key}`).locator('td').nth(1).innerText())
      .replace(' EUR million', '')
      .split(' ± ');
    // no more digits than the error's second significant digit: the decimals of the value and of the error agree
    expect(value!.split('.')[1]?.length ?? 0).toBe(error!.split('.')[1]?.length ?? 0);
    expect(Number(error!.replace(/,/g, ''))).toBeGreaterThan(0);
  }
  await expect(page.getByTestId('stress-figure-var-0.99').locator('td').nth(1)).toHaveText(
    /^[\d,.]+ \[[\d,.]+, [\d,.]+\] EUR million$/,
  );
  await expect(page.getByTestId('stress-figure-var-0.99').locator('td').first()).toHaveText(/^VaR 99\.0 % /);
  await expect(page.getByTestId('stress-figure-model').locator('td').nth(1)).toHaveText('uniform on [0, 10 % · c]');
  await expect(page.getByTestId('stress-figure-scenarios').locator('td').nth(1)).toHaveText('20,000');
  await expect(page.getByTestId('stress-figure-time').locator('td').nth(1)).toHaveText(/^[\d.]+ s$|^\d+ min \d\d s$/);
  // The figures table saves as CSV, with the texts as shown (units included).
  const figuresCsv = page.waitForEvent('download');
  await page.getByTestId('stress-figures-csv').click();
  const figuresFile = await figuresCsv;
  expect(figuresFile.suggestedFilename()).toBe('Stress-figures-run-1.csv');
  const figuresText = readFileSync(await figuresFile.path(), 'utf8');
  expect(figuresText).toContain('Figure,Run #1');
  expect(figuresText).toMatch(/E\[L\] \(expected system loss\),"?[\d,.]+ ± [\d,.]+ EUR million"?/);
  await figures.getByTestId('help-nvi').first().click();
  await expect(page.getByTestId('help-panel')).toContainText(
    'Network vulnerability index of Glasserman & Young (2015)',
  );
  await page.getByTestId('close-help').click();

  // A chart saves as PNG and as an SVG drawing with its bars and axis titles as vectors and text.
  const lossChart = page.getByTestId('stress-loss-chart');
  for (const [kind, signature] of [
    ['png', '\x89PNG'],
    ['svg', '<svg'],
  ] as const) {
    const download = page.waitForEvent('download');
    await lossChart.hover();
    await lossChart.getByTestId(`chart-${kind}`).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`share-of-scenarios-by-loss-l-eur-million.${kind}`);
    const saved = join(artifactsDir, `stress-loss-chart.${kind}`);
    await file.saveAs(saved);
    const content = readFileSync(saved, 'latin1');
    expect(content.startsWith(signature) || content.includes(signature)).toBe(true);
    if (kind === 'svg') {
      expect(content).toContain('share of scenarios');
      expect(content.match(/<path/g)?.length ?? 0).toBeGreaterThan(10);
    }
  }

  // The largest-loss scenario as a table beside the drawing, defaulted banks first, sortable by shock (largest first
  // after two clicks) and saved as CSV.
  const scenario = page.getByTestId('stress-scenario-table');
  await expect(scenario.locator('tbody tr')).toHaveCount(87);
  const rounds = (await scenario.locator('tbody tr td:nth-child(3)').allInnerTexts()).map((t) =>
    t === '—' ? Infinity : Number(t),
  );
  expect(rounds).toEqual([...rounds].sort((a, b) => a - b));
  expect(rounds[0]).toBe(1);
  await expectSortsAndSaves(page, {
    testid: 'stress-scenario-table',
    header: /^Shock/,
    column: 2,
    file: 'Largest-loss-scenario-of-stress-run',
    csvHeader: 'Bank,Shock (EUR million),Default round,Depth u,Paid (EUR million)',
  });
  expect(
    Number((await scenario.locator('tbody tr td:nth-child(2)').first().innerText()).replace(/,/g, '')),
  ).toBeGreaterThan(0);
  const [drawing, table] = [await page.getByTestId('network-view').boundingBox(), await scenario.boundingBox()];
  expect(table!.x).toBeGreaterThan(drawing!.x + drawing!.width - 1);
  await scenario.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, 'stress-scenario-table.png') });

  // A second run with larger shocks, compared side by side.
  await page.getByTestId('stress-max-fraction').fill('100');
  await page.getByTestId('stress-run').click();
  // The first run's progress still reads "succeeded": wait for the second run to be shown.
  await expect(page.getByRole('heading', { name: 'Run #2' })).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('stress-compare').selectOption('1');
  await expect(figures.locator('thead th')).toHaveCount(4);
  // The difference of the expected losses is the difference of the two columns, with √(s₁² + s₂²); each figure is
  // rounded to the digits its own standard error allows, so the check allows half a unit of the last digit of each.
  const row = page.getByTestId('stress-figure-el').locator('td');
  const parse = async (cell: number) => {
    const text = (await row.nth(cell).innerText()).replace(' EUR million', '').replace('−', '-').replace('+', '');
    const [value, error] = text.split(' ± ');
    return {
      value: Number(value!.replace(/,/g, '')),
      error: Number(error!.replace(/,/g, '')),
      step: 10 ** -(value!.split('.')[1]?.length ?? 0),
    };
  };
  const [a, b, d] = [await parse(1), await parse(2), await parse(3)];
  await expect(row.nth(3)).toHaveText(/^[+−][\d,.]+ ± [\d,.]+ EUR million$/);
  const rounding = (a.step + b.step + d.step) / 2 + 1e-9;
  expect(Math.abs(d.value - (b.value - a.value))).toBeLessThanOrEqual(rounding);
  expect(Math.abs(d.error - Math.hypot(a.error, b.error))).toBeLessThanOrEqual(rounding);
  expect(a.value, 'shocks up to 100 % lose more than shocks up to 10 %').toBeGreaterThan(b.value);
  await expect(figures.locator('tr', { hasText: 'Network version' }).locator('td')).toHaveCount(4);
  await expectCanvasDrawn(page.getByTestId('stress-loss-overlay').locator('canvas'));
  await page.getByTestId('stress-loss-overlay').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, 'stress-comparison.png') });
  await page.screenshot({ path: join(artifactsDir, 'stress-screen.png'), fullPage: true });

  // Another version picked, then run #1 shown again: the picker returns to the version run #1 used.
  await page.getByTestId('stress-version').selectOption({ index: 0 });
  await expect(versionPicked).toHaveText(/ v1 /);
  await page.getByTestId('stress-shown-run').selectOption('1');
  await expect(page.getByRole('heading', { name: 'Run #1' })).toBeVisible();
  await expect(versionPicked).toHaveText(/ v2 — /);
  // The rest of the form follows the run shown too: run #1's max shock and scenarios, not what was typed for run #2.
  await expect(page.getByTestId('stress-max-fraction')).toHaveValue('10');
  await expect(page.getByTestId('stress-samples')).toHaveValue('20000');
  await expect(page.getByTestId('stress-model')).toHaveValue('uniform');
  await expect(page.getByTestId('stress-recovery')).not.toBeChecked();
  await page.getByTestId('stress-shown-run').selectOption('2');
  await expect(page.getByTestId('stress-max-fraction')).toHaveValue('100');
  await page.getByTestId('stress-shown-run').selectOption('1');
  await expect(page.getByTestId('stress-max-fraction')).toHaveValue('10');
  // Run #2 picked, then run #1 before either arrives, and run #2's answer arrives last: run #1 is the one shown.
  savedRunAnswers.hold();
  await page.getByTestId('stress-shown-run').selectOption('2');
  await page.getByTestId('stress-shown-run').selectOption('1');
  await savedRunAnswers.release({ count: 2, newestFirst: true });
  // A comparison (with the run not shown, whichever it is) asked for afterwards is answered after both (one socket, in
  // order): the picks are settled by then.
  await page.getByTestId('stress-compare').selectOption({ index: 1 });
  await expect(figures.locator('thead th')).toHaveCount(4);
  await expect(page.getByRole('heading', { name: /^Run #\d+$/ })).toHaveText('Run #1');
  await expect(page.getByTestId('stress-max-fraction')).toHaveValue('10');
  await page.getByTestId('stress-version').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, 'stress-pickers.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(artifactsDir, 'stress-pickers-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });

  // A percent field past 100 % is refused in its own words and unit.
  await page.getByTestId('stress-max-fraction').fill('150');
  await page.getByTestId('stress-run').click();
  await expect(page.getByTestId('stress-error')).toHaveText('Max shock must be between 0 and 100 %');
  await page.getByTestId('stress-max-fraction').fill('100');

  // Bad input is answered with a message, not a crash.
  await page.getByTestId('stress-samples').fill('0');
  await page.getByTestId('stress-run').click();
  await expect(page.getByTestId('stress-error')).toHaveText('Samples must be at least 1');

  expectOnlyLoopback(requests);
  await host.stop();
});
