import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pdfPageTexts } from '../tests/briefs/support';
import { artifactsDir, expectOnlyLoopback, newDataDir, recordRequests, Shell, expect, test } from './support';

test('a stress run is reported from its screen, then composed, previewed and downloaded on the Briefs screen', async ({
  page,
  startHost,
}) => {
  const host = await startHost(newDataDir());
  const requests = recordRequests(page);
  const shell = new Shell(page);
  // The app's socket passes through the test, which can hold a briefs:compose request (to cancel it before the main
  // process has it), and hold the main process's messages after the first section's progress (to see the screen
  // while it composes).
  let holdCompose = false;
  let freezeAfterSection = false;
  let frozen = false;
  const held: Array<() => void> = [];
  const briefStages: string[] = [];
  await page.routeWebSocket(/\/\/127\.0\.0\.1:\d+\//, (socket) => {
    const server = socket.connectToServer();
    socket.onMessage((message) => {
      if (holdCompose && String(message).includes('"channel":"briefs:compose"')) held.push(() => server.send(message));
      else server.send(message);
    });
    server.onMessage((message) => {
      const data = JSON.parse(String(message)) as { event?: string; data?: { kind: string; stage: string } };
      if (data.event && data.data?.kind === 'brief') briefStages.push(data.data.stage);
      if (frozen) return void held.push(() => socket.send(message));
      socket.send(message);
      if (freezeAfterSection && data.data?.kind === 'brief' && data.data.stage.startsWith('Section 1 of 1'))
        frozen = true;
    });
  });
  await page.goto(host.url);
  await expect(page.getByTestId('dataset-detail')).toContainText('87 kept');

  await shell.goTo('stress');
  await expect(page.getByTestId('stress-version')).toContainText('v2');
  await page.getByTestId('stress-samples').fill('5000');
  await page.getByTestId('stress-run').click();
  await expect(page.getByTestId('job-progress')).toContainText('succeeded', { timeout: 60_000 });
  const expectedLoss = (
    await page
      .getByTestId('stress-figures')
      .locator('tr', { hasText: 'E[L] (' })
      .first()
      .locator('td')
      .nth(1)
      .innerText()
  ).split(' ± ')[0]!;

  // The Stress screen's Report button: a PDF brief of this run.
  const reported = page.waitForEvent('download');
  await page.getByTestId('report-export').click();
  const report = await reported;
  expect(report.suggestedFilename()).toBe('stress-test-run-1-runs-1.pdf');
  const reportPages = await pdfPageTexts(readFileSync(await report.path()));
  expect(reportPages.every((text) => text.includes('CONFIDENTIAL — supervisory use'))).toBe(true);
  await expect(page.getByTestId('report-message')).toContainText('Saved stress-test-run-1-runs-1.pdf');
  await page.screenshot({ path: join(artifactsDir, 'stress-report-button.png'), fullPage: false });

  await shell.goTo('briefs');
  await expect(page.getByTestId('brief-run-1')).toBeChecked();
  await page.getByTestId('brief-title').fill('EBA 2011 committee brief');
  await page.getByTestId('brief-marking').fill('SECRET — board only');
  // Cancel before the main process has the request: the progress shows at once, with the time so far and Cancel;
  // after Cancel no page appears, and the request, when it arrives, is refused (nothing composed, nothing saved).
  holdCompose = true;
  await page.getByTestId('brief-preview').click();
  const composing = page.getByTestId('brief-composing');
  await expect(composing.getByTestId('job-stage')).toHaveText('0 % — Composing 1 run');
  await expect(composing.getByTestId('job-time')).toContainText('so far');
  await expect(page.getByTestId('brief-preview')).toBeDisabled();
  await composing.getByTestId('cancel-job').click();
  await expect(page.getByTestId('brief-message')).toHaveText('Cancelled: no preview is shown and no brief is saved.');
  await expect(composing).toHaveCount(0);
  await expect(page.getByTestId('brief-preview')).toBeEnabled();
  holdCompose = false;
  held.splice(0).forEach((send) => send());
  await page.waitForTimeout(1000);
  await expect(page.getByTestId('brief-preview-pages').locator('article.sheet')).toHaveCount(0);
  expect(briefStages).toEqual([]);

  // While the worker composes: the section and step in words, the time so far, and Cancel (the screen frozen on the
  // first section's progress for the screenshots).
  freezeAfterSection = true;
  await page.getByTestId('brief-preview').click();
  await expect(composing.getByTestId('job-stage')).toHaveText(/^0 % — Section 1 of 1: stress test, run #1/);
  await expect(composing.getByTestId('cancel-job')).toBeVisible();
  await composing.screenshot({ path: join(artifactsDir, 'briefs-composing.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await composing.screenshot({ path: join(artifactsDir, 'briefs-composing-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  freezeAfterSection = false;
  frozen = false;
  held.splice(0).forEach((send) => send());
  await expect(composing).toHaveCount(0);
  expect(briefStages).toEqual(
    expect.arrayContaining([
      'Section 1 of 1: stress test, run #1 — charts',
      'Section 1 of 1: stress test, run #1 — the network in the largest-loss scenario',
      'done',
    ]),
  );
  const pages = page.getByTestId('brief-preview-pages');
  await expect(pages.locator('article.sheet')).toHaveCount(3);
  await expect(pages.locator('.marking')).toHaveCount(6);
  await expect(pages.getByTestId('brief-key-figures')).toContainText('Expected system loss E[L]');
  // The brief shows the same E[L] as the Stress screen (to the digits the screen shows).
  const briefLoss = await pages
    .getByTestId('brief-key-figures')
    .locator('tr', { hasText: 'Expected system loss E[L]' })
    .locator('td')
    .nth(1)
    .innerText();
  const decimals = expectedLoss.split('.')[1]?.length ?? 0;
  expect(Number(briefLoss.replace(/,/g, '')).toFixed(decimals)).toBe(expectedLoss.replace(/,/g, ''));
  await expect(pages.locator('figure img')).toHaveCount(4);
  await page.screenshot({ path: join(artifactsDir, 'briefs-screen.png'), fullPage: false });
  await pages.locator('figure').nth(1).scrollIntoViewIfNeeded();
  await expect(pages.locator('figure img').nth(1)).toHaveJSProperty('complete', true);
  expect(
    await pages
      .locator('figure img')
      .nth(1)
      .evaluate((img: HTMLImageElement) => img.naturalWidth),
  ).toBeGreaterThan(100);
  await page.screenshot({ path: join(artifactsDir, 'briefs-preview-chart.png'), fullPage: false });

  // The brief's tables sort and save as CSV on their own: the largest contributors, smallest first after a click.
  const contributors = pages.getByTestId('brief-table-1-2');
  await contributors.scrollIntoViewIfNeeded();
  await contributors.getByRole('button', { name: /^Contribution to E\[L\]/ }).click();
  await expect(contributors.locator('th[aria-sort="ascending"]')).toContainText('Contribution to E[L]');
  const contributionColumn = (await contributors.locator('thead th').allInnerTexts()).findIndex((text) =>
    text.startsWith('Contribution to E[L]'),
  );
  const contributions = (
    await contributors.locator(`tbody tr td:nth-child(${contributionColumn + 1})`).allInnerTexts()
  ).map((t) => Number(t.replace(/,/g, '')));
  expect(contributions.length).toBe(20);
  expect(contributions).toEqual([...contributions].sort((x, y) => x - y));
  await page.screenshot({ path: join(artifactsDir, 'briefs-preview-table.png'), fullPage: false });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(artifactsDir, 'briefs-preview-table-dark.png'), fullPage: false });
  await page.emulateMedia({ colorScheme: 'light' });
  const contributorsCsv = page.waitForEvent('download');
  await pages.getByTestId('brief-table-1-2-csv').click();
  const contributorsFile = await contributorsCsv;
  expect(contributorsFile.suggestedFilename()).toBe('Table-2-Top-20-loss-contributors-run-1.csv');
  // after the marking's comment lines: the header and the 20 rows, in the order shown
  const csvLines = readFileSync(await contributorsFile.path(), 'utf8')
    .trim()
    .split(/\r?\n/)
    .filter((line) => !line.startsWith('#'));
  expect(csvLines[0]).toContain('Contribution to E[L] (EUR million)');
  expect(csvLines).toHaveLength(1 + 20);

  const downloaded = page.waitForEvent('download');
  await page.getByTestId('brief-export-pdf').click();
  const pdf = await downloaded;
  expect(pdf.suggestedFilename()).toBe('eba-2011-committee-brief-runs-1.pdf');
  const texts = await pdfPageTexts(readFileSync(await pdf.path()));
  for (const text of texts) expect(text).toContain('SECRET — board only');
  expect(texts.join(' ')).toContain('EBA 2011 committee brief');
  await expect(page.getByTestId('brief-message')).toContainText('stored as brief 2');

  const docx = page.waitForEvent('download');
  await page.getByTestId('brief-export-docx').click();
  expect(
    readFileSync(await (await docx).path())
      .subarray(0, 2)
      .toString('latin1'),
  ).toBe('PK');
  await expect(page.getByTestId('brief-saved').locator('tbody tr')).toHaveCount(3);
  // The saved briefs sort by size, largest first after two clicks.
  const savedBriefs = page.getByTestId('brief-saved');
  await savedBriefs.getByRole('button', { name: /^Size/ }).click();
  await savedBriefs.getByRole('button', { name: /^Size/ }).click();
  await expect(savedBriefs.locator('th[aria-sort="descending"]')).toContainText('Size (bytes)');
  const sizes = (await savedBriefs.locator('tbody tr td:nth-child(5)').allInnerTexts()).map((t) =>
    Number(t.replace(/,/g, '')),
  );
  expect(sizes).toEqual([...sizes].sort((x, y) => y - x));
  await page.screenshot({ path: join(artifactsDir, 'briefs-saved.png'), fullPage: false });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(artifactsDir, 'briefs-saved-dark.png'), fullPage: false });
  await page.emulateMedia({ colorScheme: 'light' });

  // A brief needs a marking: the error names the field.
  await page.getByTestId('brief-marking').fill('');
  await page.getByTestId('brief-preview').click();
  await expect(page.getByTestId('brief-error')).toContainText('marking');

  expectOnlyLoopback(requests);
  await host.stop();
});
