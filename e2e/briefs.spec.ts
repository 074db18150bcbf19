import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pdfPageTexts } from '../tests/briefs/support';
import { artifactsDir, expectOnlyLoopback, newDataDir, recordRequests, Shell, expect, test } from './support';

test('a stress run is reported from its screen, then composed, previewed and downloaded on the Briefs screen', async ({ page, startHost }) => {
  const host = await startHost(newDataDir());
  const requests = recordRequests(page);
  const shell = new Shell(page);
  // The app's socket passes through the test, which can hold a briefs:compose request to see the screen while it waits.
  let holdCompose = false;
  const held: Array<() => void> = [];
  await page.routeWebSocket(/\/\/127\.0\.0\.1:\d+\//, (socket) => {
    const server = socket.connectToServer();
    socket.onMessage((message) => {
      if (holdCompose && String(message).includes('"channel":"briefs:compose"')) held.push(() => server.send(message));
      else server.send(message);
    });
    server.onMessage((message) => socket.send(message));
  });
  await page.goto(host.url);
  await expect(page.getByTestId('dataset-detail')).toContainText('87 kept');

  await shell.goTo('stress');
  await expect(page.getByTestId('stress-version')).toContainText('v2');
  await page.getByTestId('stress-samples').fill('5000');
  await page.getByTestId('stress-run').click();
  await expect(page.getByTestId('job-progress')).toContainText('succeeded', { timeout: 60_000 });
  const expectedLoss = (await page.getByTestId('stress-figures').locator('tr', { hasText: 'E[L] (' }).first().locator('td').nth(1).innerText()).split(' ± ')[0]!;

  // The Stress screen's Report button: a PDF brief of this run.
  const reported = page.waitForEvent('download');
  await page.getByTestId('report-export').click();
  const report = await reported;
  expect(report.suggestedFilename()).toBe('stress-test-run-1-runs-1.pdf');
  const reportPages = await pdfPageTexts(readFileSync((await report.path())!));
  expect(reportPages.every((text) => text.includes('CONFIDENTIAL — supervisory use'))).toBe(true);
  await expect(page.getByTestId('report-message')).toContainText('Saved stress-test-run-1-runs-1.pdf');
  await page.screenshot({ path: join(artifactsDir, 'stress-report-button.png'), fullPage: false });

  await shell.goTo('briefs');
  await expect(page.getByTestId('brief-run-1')).toBeChecked();
  await page.getByTestId('brief-title').fill('EBA 2011 committee brief');
  await page.getByTestId('brief-marking').fill('SECRET — board only');
  // While composing: what, the time so far, and a way to stop waiting (nothing is shown, nothing saved); the answer
  // that comes after is not shown either.
  holdCompose = true;
  await page.getByTestId('brief-preview').click();
  await expect(page.getByTestId('brief-composing')).toContainText(/ — [\d.]+ s so far/);
  await expect(page.getByTestId('brief-composing')).toContainText('Composing 1 run (stress test): charts, tables and pictures');
  await page.getByTestId('brief-composing').screenshot({ path: join(artifactsDir, 'briefs-composing.png') });
  await page.getByTestId('busy-stop').click();
  await expect(page.getByTestId('brief-message')).toHaveText('Stopped waiting: no preview is shown. Composing ends by itself in the background; no brief is saved.');
  await expect(page.getByTestId('brief-preview-pages').locator('article.sheet')).toHaveCount(0);
  await expect(page.getByTestId('brief-preview')).toBeEnabled();
  holdCompose = false;
  held.splice(0).forEach((send) => send());
  await page.waitForTimeout(1000);
  await expect(page.getByTestId('brief-preview-pages').locator('article.sheet')).toHaveCount(0);
  await page.getByTestId('brief-preview').click();
  const pages = page.getByTestId('brief-preview-pages');
  await expect(pages.locator('article.sheet')).toHaveCount(3);
  await expect(pages.locator('.marking')).toHaveCount(6);
  await expect(pages.getByTestId('brief-key-figures')).toContainText('Expected system loss E[L]');
  // The brief shows the same E[L] as the Stress screen (one decimal in both).
  await expect(pages.getByTestId('brief-key-figures')).toContainText(expectedLoss.replace(/\.\d$/, ''));
  await expect(pages.locator('figure img')).toHaveCount(4);
  await page.screenshot({ path: join(artifactsDir, 'briefs-screen.png'), fullPage: false });
  await pages.locator('figure').nth(1).scrollIntoViewIfNeeded();
  await expect(pages.locator('figure img').nth(1)).toHaveJSProperty('complete', true);
  expect(await pages.locator('figure img').nth(1).evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(100);
  await page.screenshot({ path: join(artifactsDir, 'briefs-preview-chart.png'), fullPage: false });

  const downloaded = page.waitForEvent('download');
  await page.getByTestId('brief-export-pdf').click();
  const pdf = await downloaded;
  expect(pdf.suggestedFilename()).toBe('eba-2011-committee-brief-runs-1.pdf');
  const texts = await pdfPageTexts(readFileSync((await pdf.path())!));
  for (const text of texts) expect(text).toContain('SECRET — board only');
  expect(texts.join(' ')).toContain('EBA 2011 committee brief');
  await expect(page.getByTestId('brief-message')).toContainText('stored as brief 2');

  const docx = page.waitForEvent('download');
  await page.getByTestId('brief-export-docx').click();
  expect(readFileSync((await (await docx).path())!).subarray(0, 2).toString('latin1')).toBe('PK');
  await expect(page.getByTestId('brief-saved').locator('tbody tr')).toHaveCount(3);

  // A brief needs a marking: the error names the field.
  await page.getByTestId('brief-marking').fill('');
  await page.getByTestId('brief-preview').click();
  await expect(page.getByTestId('brief-error')).toContainText('marking');

  expectOnlyLoopback(requests);
  await host.stop();
});
