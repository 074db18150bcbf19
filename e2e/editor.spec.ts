import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactsDir, expectOnlyLoopback, newDataDir, recordRequests, Shell, expect, test } from './support';

class Editor {
  constructor(readonly page: Page) {}
  async select(id: string) {
    await this.page.getByTestId('editor-search').fill(id);
    await this.page.getByTestId('editor-search').press('Enter');
    await expect(this.page.getByTestId('editor-properties').locator('h2').first()).toHaveText(`Bank ${id}`);
  }
  async setField(field: string, value: string) {
    const input = this.page.getByTestId(`prop-${field}`);
    await input.fill(value);
    await input.press('Tab');
  }
  async owe(creditor: string, amount: string) {
    await this.page.getByTestId('new-edge-creditor').selectOption(creditor);
    await this.page.getByTestId('new-edge-amount').fill(amount);
    await this.page.getByTestId('add-edge').click();
  }
  liabilities() {
    return this.page.getByTestId('editor-properties').locator('ul.plain li');
  }
}

test('build a 4-bank network by clicking, edit a liability, undo, redo, save and reopen', async ({ page, startHost }) => {
  const host = await startHost(newDataDir());
  const requests = recordRequests(page);
  const shell = new Shell(page);
  const editor = new Editor(page);
  await page.goto(host.url);
  await shell.goTo('network');

  await page.getByTestId('editor-new').click();
  await expect(page.getByTestId('editor-message')).toContainText('New empty network');
  for (let k = 0; k < 4; k++) await page.getByTestId('editor-add-node').click();
  await expect(page.getByTestId('editor-canvas')).toBeVisible();

  await editor.select('N1');
  await editor.setField('outsideAssets', '-5');
  await expect(page.getByTestId('error-outsideAssets')).toHaveText('must be ≥ 0');
  await editor.setField('outsideAssets', '150');
  await expect(page.getByTestId('error-outsideAssets')).toHaveCount(0);
  await editor.owe('N2', '20');
  await editor.select('N2');
  await editor.owe('N3', '15');
  await editor.select('N3');
  await editor.owe('N4', '10');
  await editor.select('N4');
  await editor.owe('N1', '5');
  await expect(editor.liabilities()).toHaveCount(2);

  // Edit a liability: N4 now owes N1 7.5 instead of 5; undo and redo the change.
  await editor.owe('N1', '7.5');
  await expect(editor.liabilities().filter({ hasText: 'N4 owes N1' })).toHaveText('N4 owes N1 7.5');
  await page.getByTestId('editor-undo').click();
  await expect(editor.liabilities().filter({ hasText: 'N4 owes N1' })).toHaveText('N4 owes N1 5');
  await page.keyboard.press('Control+Shift+Z');
  await expect(editor.liabilities().filter({ hasText: 'N4 owes N1' })).toHaveText('N4 owes N1 7.5');

  await page.getByTestId('save-note').fill('four banks in a ring');
  await page.getByTestId('save-version').click();
  await expect(page.getByTestId('editor-message')).toContainText('Saved as version 2');
  await page.screenshot({ path: join(artifactsDir, 'network-editor.png'), fullPage: true });

  for (const [button, extension, signature] of [['PNG', '.png', '\x89PNG'], ['SVG', '.svg', '<svg']] as const) {
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: button, exact: true }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(new RegExp(`\\${extension}$`));
    const saved = join(artifactsDir, `network-export${extension}`);
    await file.saveAs(saved);
    expect(readFileSync(saved, 'latin1')).toContain(signature);
  }

  await page.reload();
  await shell.goTo('network');
  await expect(page.getByTestId('editor-version').locator('option:checked')).toContainText('v2 — 4 nodes, 4 liabilities');
  await editor.select('N1');
  await expect(page.getByTestId('prop-outsideAssets')).toHaveValue('150');
  await expect(editor.liabilities().filter({ hasText: 'N4 owes N1' })).toHaveText('N4 owes N1 7.5');

  // Size filter: N1 (outside assets 150 + claims 7.5) is the only bank of size ≥ 125.
  await page.getByTestId('editor-min-size').fill('125');
  await expect(page.getByText('3 filtered out')).toBeVisible();
  expectOnlyLoopback(requests);
  await host.stop();
});
