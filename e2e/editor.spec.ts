import type { Locator, Page } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

test('build a 4-bank network by clicking, edit a liability, undo, redo, save and reopen', async ({
  page,
  startHost,
}) => {
  const host = await startHost(newDataDir());
  const requests = recordRequests(page);
  const shell = new Shell(page);
  const editor = new Editor(page);
  await page.goto(host.url);
  await shell.goTo('network');

  await page.getByTestId('editor-new').click();
  await expect(page.getByTestId('editor-message')).toContainText('New empty network');
  for (let k = 0; k < 4; k++) await page.getByTestId('editor-add-node').click();
  await expectCanvasDrawn(page.getByTestId('editor-canvas'));

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
  await expect(editor.liabilities().filter({ hasText: 'N4 owes N1' })).toHaveText('N4 owes N1 7.50 EUR million');
  await page.getByTestId('editor-undo').click();
  await expect(editor.liabilities().filter({ hasText: 'N4 owes N1' })).toHaveText('N4 owes N1 5.00 EUR million');
  await page.keyboard.press('Control+Shift+Z');
  await expect(editor.liabilities().filter({ hasText: 'N4 owes N1' })).toHaveText('N4 owes N1 7.50 EUR million');

  await page.getByTestId('save-note').fill('four banks in a ring');
  await page.getByTestId('save-version').click();
  await expect(page.getByTestId('editor-message')).toContainText('Saved as version 2');
  await page.screenshot({ path: join(artifactsDir, 'network-editor.png'), fullPage: true });

  for (const [button, extension, signature] of [
    ['PNG', '.png', '\x89PNG'],
    ['SVG', '.svg', '<svg'],
  ] as const) {
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
  await expect(page.getByTestId('editor-version').locator('option:checked')).toContainText(
    'v2 — 4 nodes, 4 liabilities',
  );
  await editor.select('N1');
  await expect(page.getByTestId('prop-outsideAssets')).toHaveValue('150');
  await expect(editor.liabilities().filter({ hasText: 'N4 owes N1' })).toHaveText('N4 owes N1 7.50 EUR million');

  // Size filter: N1 (outside assets 150 + claims 7.5) is the only bank of size ≥ 125.
  await page.getByTestId('editor-min-size').fill('125');
  await expect(page.getByText('3 filtered out')).toBeVisible();

  // The property panel names each amount's unit and shows a stored float to the cent, not to its last digit.
  await editor.setField('outsideAssets', '1711231.024990491');
  await expect(page.getByTestId('prop-outsideAssets')).toHaveValue('1711231.02');
  await expect(page.locator('label', { has: page.getByTestId('prop-outsideAssets') })).toContainText(
    'Outside assets c (EUR million)',
  );
  await expect(page.getByTestId('editor-properties')).toContainText(
    /Net worth from the network w = c \+ Σ p̄_ji − p̄ = 1,711,1\d\d EUR million/,
  );
  await page.getByTestId('editor-properties').screenshot({ path: join(artifactsDir, 'network-properties.png') });
  expectOnlyLoopback(requests);
  await host.stop();
});

/** Where the banks shown sit in the view: their rendered bounding box and the size of the view (Cytoscape's own). */
async function shownBox(page: Page) {
  return page.getByTestId('editor-canvas').evaluate((el) => {
    const cy = (el as unknown as { _cyreg: { cy: import('cytoscape').Core } })._cyreg.cy;
    const box = cy.nodes().renderedBoundingBox({});
    return {
      x1: box.x1,
      y1: box.y1,
      x2: box.x2,
      y2: box.y2,
      width: cy.width(),
      height: cy.height(),
      nodes: cy.nodes().length,
    };
  });
}

/** The banks are inside the view and fill a fair part of it (not a speck, not zoomed into empty space). */
async function expectFitted(page: Page) {
  await expect
    .poll(async () => {
      const b = await shownBox(page);
      const inside = b.x1 >= -2 && b.y1 >= -2 && b.x2 <= b.width + 2 && b.y2 <= b.height + 2;
      return inside && Math.max((b.x2 - b.x1) / b.width, (b.y2 - b.y1) / b.height) > 0.5;
    })
    .toBe(true);
}

/** 72 banks in 24 countries, each owing the next three banks: more groups than any palette has colours. */
function manyGroups() {
  const ids = Array.from({ length: 72 }, (_, k) => `B${String(k + 1).padStart(2, '0')}`);
  return {
    format: 'contagion-workbench/network@1',
    name: 'Seventy-two banks (e2e)',
    currency: 'EUR',
    unit: 'million',
    nodes: ids.map((id, k) => ({
      id,
      name: `Bank ${k + 1}`,
      group: `G${String(Math.floor(k / 3) + 1).padStart(2, '0')}`,
      outsideAssets: 1000 + 37 * k,
      outsideLiabilities: 800 + 30 * k,
      equity: 150 + 5 * k,
    })),
    liabilities: ids.flatMap((id, k) =>
      [1, 2, 5].map((step) => ({
        debtor: id,
        creditor: ids[(k + step) % ids.length]!,
        amount: 10 + ((k * 7 + step * 13) % 40),
      })),
    ),
  };
}

/** Picks the option of a version picker whose text contains `name`. */
async function pickVersion(picker: Locator, name: string) {
  const value = await picker.locator('option', { hasText: name }).first().getAttribute('value');
  await picker.selectOption(value);
}

test('a 72-bank network: every group in the legend, fitted after each filter and layout, tooltips, neighbours, heatmap', async ({
  page,
  startHost,
}) => {
  const dataDir = newDataDir();
  const host = await startHost(dataDir);
  const shell = new Shell(page);
  await page.goto(host.url);
  const file = join(dataDir, 'seventy-two.json');
  writeFileSync(file, JSON.stringify(manyGroups()));
  await shell.importFile(file);
  await expect(shell.datasetRows()).toHaveCount(2);
  await shell.goTo('network');
  await pickVersion(page.getByTestId('editor-version'), 'Seventy-two banks');

  // Every group is listed with its own colour and shape pair.
  const legend = page.getByTestId('editor-legend').locator('.swatch');
  await expect(legend).toHaveCount(24);
  const looks = await legend
    .locator('path')
    .evaluateAll((paths) => paths.map((p) => `${p.getAttribute('fill')} ${p.getAttribute('d')}`));
  expect(new Set(looks).size).toBe(24);
  await expectCanvasDrawn(page.getByTestId('editor-canvas'));
  await expectFitted(page);

  // One country, then only large banks, then a new layout: the view is fitted to what is left each time.
  await page.getByRole('combobox', { name: 'Group' }).selectOption('G07');
  await expect(page.getByText('filtered out')).toBeVisible();
  expect((await shownBox(page)).nodes).toBe(3);
  await expectFitted(page);
  await expectCanvasDrawn(page.getByTestId('editor-canvas'));
  await page.getByRole('combobox', { name: 'Group' }).selectOption('');
  await page.getByTestId('editor-min-size').fill('3500');
  await expectFitted(page);
  await page.getByRole('combobox', { name: 'Layout' }).selectOption('grid');
  await expectFitted(page);
  await page.getByTestId('editor-min-size').fill('0');
  await expectFitted(page);

  // Zoomed far in by the wheel, Fit brings every bank back.
  const canvas = page.getByTestId('editor-canvas');
  const area = (await canvas.boundingBox())!;
  await page.mouse.move(area.x + area.width / 2, area.y + area.height / 2);
  for (let k = 0; k < 15; k++) await page.mouse.wheel(0, -400);
  await expect.poll(async () => ((b) => (b.x2 - b.x1) / b.width)(await shownBox(page))).toBeGreaterThan(1.2);
  await page.getByTestId('editor-fit').click();
  await expectFitted(page);

  // Hover a bank: its name, group, total assets, equity and net worth, with units.
  const first = await canvas.evaluate((el) => {
    const cy = (el as unknown as { _cyreg: { cy: import('cytoscape').Core } })._cyreg.cy;
    const node = cy.nodes().max((n) => n.renderedOuterWidth()).ele;
    return { id: node.id(), ...node.renderedPosition() };
  });
  await page.mouse.move(area.x + first.x, area.y + first.y);
  const tooltip = page.getByTestId('graph-tooltip');
  await expect(tooltip).toContainText(first.id);
  await expect(tooltip).toContainText('Group: ');
  await expect(tooltip).toContainText(/Total assets: [\d,]+ EUR million/);
  await expect(tooltip).toContainText(/Net worth \(from the network\): -?[\d,.]+ EUR million/);
  await page.screenshot({ path: join(artifactsDir, 'network-tooltip.png') });

  // Select it: everything but its neighbours fades.
  await page.mouse.click(area.x + first.x, area.y + first.y);
  await expect(page.getByTestId('editor-properties').locator('h2').first()).toHaveText(`Bank ${first.id}`);
  const faded = await canvas.evaluate((el) => {
    const cy = (el as unknown as { _cyreg: { cy: import('cytoscape').Core } })._cyreg.cy;
    return {
      faded: cy.nodes('.faded').length,
      near: cy.nodes(':selected').closedNeighborhood().nodes().length,
      all: cy.nodes().length,
    };
  });
  expect(faded.faded).toBe(faded.all - faded.near);
  expect(faded.faded).toBeGreaterThan(0);
  await page.screenshot({ path: join(artifactsDir, 'network-neighbours.png') });

  // The liability matrix with its axes and colour bar.
  await page.getByRole('button', { name: 'Show matrix' }).click();
  await expectCanvasDrawn(page.getByTestId('heatmap'));
  await expect(page.getByTestId('heatmap-caption')).toContainText(
    'pale yellow for the smallest to dark red for the largest',
  );
  await page.getByTestId('heatmap').scrollIntoViewIfNeeded();
  await page.getByTestId('heatmap').screenshot({ path: join(artifactsDir, 'network-heatmap.png') });
  for (const [kind, signature] of [
    ['png', '\x89PNG'],
    ['svg', '<svg'],
  ] as const) {
    const download = page.waitForEvent('download');
    await page.getByTestId(`heatmap-${kind}`).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`seventy-two-banks-e2e-liability-matrix.${kind}`);
    const saved = join(artifactsDir, `network-heatmap-export.${kind}`);
    await file.saveAs(saved);
    const content = readFileSync(saved, 'latin1');
    expect(content).toContain(signature);
    if (kind === 'svg') {
      expect(content).toContain('creditor (column)');
      expect(content.match(/<rect/g)?.length ?? 0).toBeGreaterThan(216);
    }
  }

  // A stress run overlaid: the view is fitted again, and a defaulted bank's tooltip gives its round and depth.
  await shell.goTo('stress');
  await pickVersion(page.getByTestId('stress-version'), 'Seventy-two banks');
  await page.getByTestId('stress-max-fraction').fill('100');
  await page.getByTestId('stress-samples').fill('2000');
  await page.getByTestId('stress-run').click();
  await expect(page.getByRole('heading', { name: 'Run #1' })).toBeVisible({ timeout: 60_000 });
  await shell.goTo('network');
  await pickVersion(page.getByTestId('editor-version'), 'Seventy-two banks');
  await page.getByTestId('editor-overlay').selectOption({ index: 1 });
  await expect(page.getByTestId('editor-overlay').locator('option:checked')).toContainText('largest-loss scenario');
  await expect(page.getByTestId('editor-legend').locator('..')).toContainText(
    /defaulted \(\d+, loss [\d,.]+ EUR million\)/,
  );
  await expectFitted(page);
  const fallen = await canvas.evaluate((el) => {
    const cy = (el as unknown as { _cyreg: { cy: import('cytoscape').Core } })._cyreg.cy;
    const node = cy.nodes().filter((n) => n.data('colour') === '#d92d20')[0]!;
    return { id: node.id(), ...node.renderedPosition() };
  });
  await page.mouse.move(area.x + fallen.x, area.y + fallen.y);
  await expect(tooltip).toContainText(fallen.id);
  await expect(tooltip).toContainText(/Defaulted in round \d+, depth u = \d+\.\d\d/);
  await page.screenshot({ path: join(artifactsDir, 'network-overlay-tooltip.png') });
  await host.stop();
});
