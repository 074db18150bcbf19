import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { artifactsDir, expectOnlyLoopback, newDataDir, recordRequests, Shell, expect, test } from './support';

/** Nothing on the screen reaches past the right edge of the window (cut-off buttons and tables). */
async function expectNothingCutOff(page: Page, selector: string) {
  const width = page.viewportSize()!.width;
  const overflowing = await page
    .locator(selector)
    .evaluateAll(
      (elements, right) =>
        elements
          .filter((e) => e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().right > right + 1)
          .map((e) => e.outerHTML.slice(0, 80)),
      width,
    );
  expect(overflowing).toEqual([]);
}

async function screenshots(page: Page, name: string) {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [width, height] of [
      [1440, 900],
      [1024, 700],
    ] as const) {
      await page.setViewportSize({ width, height });
      await expectNothingCutOff(page, 'main button, main table, main select');
      await page.screenshot({ path: join(artifactsDir, `${name}-${scheme}-${width}x${height}.png`) });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1440, height: 900 });
}

test('no dead ends: the sample economy, empty imports, renaming and deleting with what depends on it, unsaved edits, help, table export', async ({
  page,
  startHost,
}) => {
  const dataDir = newDataDir();
  const host = await startHost(dataDir);
  const requests = recordRequests(page);
  const shell = new Shell(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(host.url);

  // An empty CSV says why nothing was stored.
  const empty = join(dataDir, 'empty.csv');
  writeFileSync(empty, '');
  await shell.importFile(empty);
  await expect(page.getByTestId('message')).toHaveText('empty.csv is empty (0 bytes): nothing was imported.');
  const headerOnly = join(dataDir, 'header-only.csv');
  writeFileSync(headerOnly, 'bank,total assets\n');
  await shell.importFile(headerOnly);
  await expect(page.getByTestId('message')).toHaveText(
    'header-only.csv has no rows below its header: nothing was imported.',
  );

  // The seeded EBA sample: a second maximum-entropy build opens the stored version.
  await page.getByTestId('datasets').locator('tbody tr').first().click();
  await expect(page.getByTestId('dataset-detail')).toContainText('total assets (EBA item 30029)');
  // What was left out, with its figures in separators and units, and the item codes explained (never read as amounts).
  await expect(page.getByTestId('skipped').locator('li', { hasText: 'DE029' })).toHaveText(
    'DE029: negative external assets: interbank exposure (EBA item 33010) 33,760 EUR million exceeds total assets (EBA item 30029) 17,691 EUR million',
  );
  await expect(page.getByTestId('skipped').locator('li', { hasText: 'LU045' })).toHaveText(
    'LU045: total assets (EBA item 30029) are 0 EUR million (must be positive)',
  );
  await page.locator('[data-testid^="maxent-"]').first().click();
  await expect(page.getByTestId('versions-message')).toContainText(
    'is already this maximum-entropy network; nothing new was saved',
  );
  await screenshots(page, 'data-screen');

  // The Intervention screen's empty state offers the sample economy; a short study makes a run on it.
  await shell.goTo('intervention');
  await expect(page.getByTestId('sample-offer')).toBeVisible();
  await page.getByTestId('load-sample-economy').click();
  await expect(page.getByTestId('intervention-version')).toContainText(
    'Sample economy: 40 firms in 4 clusters (synthetic) v1',
  );
  await page.getByTestId('intervention-scenarios').fill('200');
  await page.getByTestId('intervention-tail').uncheck();
  await page.getByTestId('intervention-run').click();
  await expect(page.getByTestId('job-progress')).toContainText('succeeded', { timeout: 90_000 });
  await expect(page.getByTestId('intervention-runs')).toContainText('intervention study');
  await expect(page.getByTestId('intervention-support').locator('tbody tr').first()).toBeVisible();
  // Sorting: the payment column, largest first after two clicks.
  await page
    .getByTestId('intervention-support')
    .getByRole('button', { name: /Payment/ })
    .click();
  await page
    .getByTestId('intervention-support')
    .getByRole('button', { name: /Payment/ })
    .click();
  await expect(page.getByTestId('intervention-support').locator('th[aria-sort="descending"]')).toHaveCount(1);
  const download = page.waitForEvent('download');
  await page.getByTestId('intervention-support-csv').click();
  expect((await download).suggestedFilename()).toMatch(/^Whom-to-support-run-\d+\.csv$/);
  // The glossary from beside the symbol.
  await page.getByTestId('help-tvar').first().click();
  await expect(page.getByTestId('help-panel')).toContainText('Klages-Mundt & Minca (2022)');
  await expect(page.getByTestId('help-panel').locator('dt.highlighted')).toHaveText('TVaR_q (ES)');
  await page.getByTestId('close-help').click();
  await page.getByTestId('intervention-tvar').scrollIntoViewIfNeeded();
  await screenshots(page, 'intervention-screen');

  // Data: the version the run uses cannot be deleted, and the refusal names the run beside the button.
  await shell.goTo('data');
  await page.getByTestId('datasets').getByText('Sample economy').click();
  // The versions and the audit trail are tables like the others: sorted by a header, saved as CSV (actions left out).
  const versionsCsv = page.waitForEvent('download');
  await page.getByTestId('versions-csv').click();
  const versionsFile = await versionsCsv;
  expect(versionsFile.suggestedFilename()).toMatch(/^Network-versions.*\.csv$/);
  const versionLines = readFileSync(await versionsFile.path(), 'utf8')
    .split(/\r?\n/)
    .filter((line) => line && !line.startsWith('#'));
  expect(versionLines[0]).toBe('Version,Nodes,Liabilities,Note');
  expect(versionLines[1]).toMatch(/^"?40 firms|^"?Sample economy|v1/);
  const trail = page.getByTestId('audit-entries');
  await trail.getByRole('button', { name: /Action/ }).click();
  await expect(trail.locator('th[aria-sort="ascending"]')).toHaveCount(1);
  const actions = await trail.locator('tbody tr td:nth-child(3)').allInnerTexts();
  expect(actions).toEqual([...actions].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })));
  const auditCsv = page.waitForEvent('download');
  await page.getByTestId('audit-entries-csv').click();
  expect(readFileSync(await (await auditCsv).path(), 'utf8')).toContain('Time (UTC),User,Action,Subject,File,SHA-256');
  const version = page.locator('[data-testid^="delete-version-"]').first();
  await version.click();
  await expect(page.getByTestId('confirm-version')).toContainText('cannot be deleted');
  await expect(page.getByTestId('confirm-version')).toContainText('intervention study');
  await page.getByTestId('confirm-version').getByRole('button', { name: 'OK' }).click();
  // Rename the run, then delete it, then the version, then the dataset.
  const run = page.getByTestId('dataset-runs').locator('li').first();
  await run.getByRole('button', { name: 'Rename…' }).click();
  await page.getByTestId('rename-input').fill('Sample study');
  await page.getByTestId('rename-save').click();
  await expect(page.getByTestId('dataset-runs')).toContainText('Sample study');
  await run.getByRole('button', { name: 'Delete…' }).click();
  await expect(page.getByTestId('confirm-run')).toContainText('Nothing else refers to it');
  await page.getByTestId('confirm-delete-run').click();
  await expect(page.getByTestId('runs-message')).toContainText('Deleted run #');
  await page.getByTestId('rename-dataset').click();
  await page.getByTestId('rename-input').fill('Forty firms');
  await page.getByTestId('rename-save').click();
  await expect(page.getByTestId('dataset-detail').locator('h2').first()).toHaveText('Forty firms');
  await page.locator('[data-testid^="delete-version-"]').first().click();
  await page.getByTestId('confirm-delete-version').click();
  await expect(page.getByTestId('versions-message')).toContainText('the network’s last version');
  await page.getByTestId('delete').click();
  await page.getByTestId('confirm-delete').click();
  await expect(page.getByTestId('dataset-message')).toHaveText('Deleted "Forty firms".');
  await expect(page.getByTestId('datasets')).not.toContainText('Forty firms');

  // Deleting a dataset no run uses (the seeded EBA sample) needs one confirmation.
  await page.getByTestId('datasets').getByText('EBA 2011').click();
  await page.getByTestId('delete').click();
  await page.getByTestId('confirm-delete').click();
  await expect(page.getByTestId('message')).toContainText('Deleted "EBA 2011');

  // Unsaved edits: leaving asks save / discard / stay.
  await shell.goTo('intervention');
  await page.getByTestId('load-sample-economy').click();
  await shell.goTo('network');
  await page.getByTestId('view-economy').click();
  const threshold = page.getByTestId('economy-firms').locator('tbody tr').first().locator('input').first();
  await threshold.fill('75');
  await threshold.press('Tab');
  await shell.goTo('data');
  await expect(page.getByTestId('unsaved-dialog')).toContainText('edits to the economy');
  await page.getByTestId('unsaved-stay').click();
  await expect(page.getByTestId('economy-firms')).toBeVisible();
  await shell.goTo('data');
  await page.getByTestId('unsaved-save').click();
  await expect(page.getByTestId('datasets')).toBeVisible();
  await expect(page.getByTestId('unsaved-dialog')).toHaveCount(0);
  await shell.goTo('network');
  await page.getByTestId('view-economy').click();
  await expect(page.getByTestId('economy-version')).toContainText('v2');
  expectOnlyLoopback(requests);
  await host.stop();
});
