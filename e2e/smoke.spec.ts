/**
 * Smoke walk: every screen in light and dark at 1440×900 and 1024×700. On each: nothing overflows its panel or the
 * screen, no button or label is cut off, every chart and graph canvas has drawn, and a screenshot is written to
 * e2e/artifacts/. The shared page fixture fails the walk on any console error or warning and any page error.
 */
import type { Page } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { economyDocumentOf, generateEconomy } from '../src-main/engines/economy-generator';
import {
  artifactsDir,
  expectCanvasDrawn,
  newDataDir,
  startHost,
  type RunningHost,
  Shell,
  expect,
  test,
} from './support';

/** Every screen of the navigation, and the Network screen's other two views. */
const SCREENS: Array<{ nav: string; tab?: string; name: string }> = [
  ...[
    'data',
    'network',
    'reconstruction',
    'stress',
    'firesales',
    'intervention',
    'models',
    'capital',
    'policy',
    'briefs',
    'about',
  ].map((nav) => ({ nav, name: nav })),
  { nav: 'network', tab: 'view-economy', name: 'network-economy' },
  { nav: 'network', tab: 'view-holdings', name: 'network-holdings' },
];
const SIZES = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
];
const THEMES = ['light', 'dark'] as const;

let host: RunningHost;
/** What the walks found, for the closing note: screens, charts checked and problems, per theme and size. */
const tally: Array<{
  theme: string;
  size: string;
  screens: number;
  canvases: number;
  perScreen: Record<string, number>;
}> = [];

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  const dataDir = newDataDir();
  host = await startHost(dataDir);
  // Something to show on the run screens: a maximum-entropy EBA network and a stress test of it, a cross-holdings
  // economy with an intervention run, a briefly trained dual network.
  const page = await browser.newPage();
  await page.goto(host.url);
  const shell = new Shell(page);
  await page.locator('[data-testid^="maxent-"]').first().click();
  await expect(page.getByRole('status').filter({ hasText: 'maximum-entropy network' })).toBeVisible({
    timeout: 60_000,
  });
  const economyFile = join(dataDir, 'economy.json');
  writeFileSync(
    economyFile,
    JSON.stringify(economyDocumentOf(generateEconomy({ firms: 40, seed: 7 }), 'Generated 40 firms')),
  );
  await shell.importFile(economyFile);
  await expect(shell.datasetRows()).toHaveCount(2);
  await shell.goTo('stress');
  await page.getByTestId('stress-samples').fill('5000');
  await page.getByTestId('stress-run').click();
  await expect(page.getByRole('heading', { name: 'Run #1' })).toBeVisible({ timeout: 60_000 });
  await shell.goTo('intervention');
  await page.getByTestId('intervention-scenarios').fill('300');
  await page.getByTestId('intervention-run').click();
  await expect(page.getByTestId('intervention-figures')).toBeVisible({ timeout: 120_000 });
  await shell.goTo('firesales');
  await page.getByTestId('idf-samples').fill('300');
  await page.getByTestId('idf-epochs').fill('40');
  await page.getByTestId('idf-backend').selectOption('cpu');
  await page.getByTestId('idf-train').click();
  await expect(page.getByTestId('idf-metrics')).toBeVisible({ timeout: 120_000 });
  await page.close();
});
test.afterAll(async () => {
  await host?.stop();
  writeFileSync(join(artifactsDir, 'smoke-counts.json'), JSON.stringify(tally, null, 2));
});

/**
 * Elements of the screen that stick out of the panel (or screen) that holds them, or whose text is cut off; an
 * ancestor that scrolls holds what it scrolls. Returns one line per offender.
 */
function overflowing(page: Page): Promise<string[]> {
  return page.locator('main.content').evaluate((main) => {
    const found: string[] = [];
    const name = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.getAttribute('data-testid') ? `[${el.getAttribute('data-testid')}]` : ''} "${(el.textContent ?? '').trim().slice(0, 40)}"`;
    if (main.scrollWidth > main.clientWidth + 1)
      found.push(`the screen scrolls sideways: ${main.scrollWidth} px wide in ${main.clientWidth} px`);
    const candidates = main.querySelectorAll(
      'button, input, select, textarea, table, canvas, h1, h2, h3, label, img, svg, p, dl',
    );
    for (const el of candidates) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      // The nearest ancestor that scrolls or clips, or a panel.
      let holder: Element | null = el.parentElement;
      while (holder && holder !== main) {
        const style = getComputedStyle(holder);
        if (style.overflowX !== 'visible' || style.overflowY !== 'visible' || holder.classList.contains('panel')) break;
        holder = holder.parentElement;
      }
      if (!holder) continue;
      const style = getComputedStyle(holder);
      const scrolls = /(auto|scroll)/.test(style.overflowX + style.overflowY);
      if (scrolls && holder !== main) continue;
      const outer = holder.getBoundingClientRect();
      const right = box.right - outer.right;
      const left = outer.left - box.left;
      if (right > 1 || left > 1)
        found.push(`${name(el)} sticks out of ${name(holder).slice(0, 30)} by ${Math.round(Math.max(right, left))} px`);
      // Text cut off inside its own box (ellipsis or clipped buttons and labels).
      if (
        /^(BUTTON|LABEL|H1|H2|H3)$/.test(el.tagName) &&
        el.scrollWidth > el.clientWidth + 1 &&
        getComputedStyle(el).overflowX !== 'visible'
      ) {
        found.push(`${name(el)} is cut off: ${el.scrollWidth} px of text in ${el.clientWidth} px`);
      }
    }
    // A sticky table header sticks only inside a panel that scrolls itself: against the page it would cover rows as the
    // screen scrolls (the Intervention TVaR table's header did).
    for (const th of main.querySelectorAll('th')) {
      if (getComputedStyle(th).position !== 'sticky') continue;
      let scroller: Element | null = th.closest('table')?.parentElement ?? null;
      while (scroller && scroller !== main && !/(auto|scroll)/.test(getComputedStyle(scroller).overflowY))
        scroller = scroller.parentElement;
      if (!scroller || scroller === main)
        found.push(`${name(th)} sticks to the top of the screen, not of a panel that scrolls, and covers rows`);
    }
    return found;
  });
}

/** Marks every group of canvases (a chart, a Cytoscape view's layers, a heatmap) on the screen; returns how many. */
function markDrawables(page: Page): Promise<number> {
  return page.locator('main.content').evaluate((main) => {
    const groups = new Set<Element>();
    for (const canvas of main.querySelectorAll('canvas')) {
      const box = canvas.getBoundingClientRect();
      if (box.width > 0 && box.height > 0 && canvas.parentElement) groups.add(canvas.parentElement);
    }
    [...groups].forEach((group, k) => group.setAttribute('data-smoke-drawable', String(k)));
    return groups.size;
  });
}

test('the overflow check sees a control pushed out of its panel and a cut-off button', async ({ page }) => {
  await page.setViewportSize(SIZES[1]!);
  await page.goto(host.url);
  await new Shell(page).goTo('stress');
  expect(await overflowing(page)).toEqual([]);
  await page
    .locator('main.content .panel')
    .first()
    .evaluate((panel) => {
      const wide = document.createElement('button');
      wide.textContent = 'far too wide';
      wide.style.cssText = 'min-width: 3000px';
      panel.appendChild(wide);
      const clipped = document.createElement('button');
      clipped.textContent = 'a label much longer than its button';
      clipped.style.cssText = 'width: 40px; min-width: 40px; max-width: 40px; overflow: hidden; white-space: nowrap';
      panel.appendChild(clipped);
      const table = document.createElement('table');
      table.innerHTML =
        '<thead><tr><th style="position: sticky; top: 0">planted header</th></tr></thead><tbody><tr><td>1</td></tr></tbody>';
      panel.appendChild(table);
    });
  const found = await overflowing(page);
  expect(found.some((line) => line.includes('"planted header" sticks to the top of the screen'))).toBe(true);
  expect(found.some((line) => line.includes('"far too wide" sticks out of'))).toBe(true);
  expect(found.some((line) => line.includes('"a label much longer than its button" is cut off'))).toBe(true);
});

for (const theme of THEMES) {
  for (const size of SIZES) {
    const label = `${theme}-${size.width}x${size.height}`;
    test(`every screen, ${theme}, ${size.width}×${size.height}: nothing cut off, every chart drawn`, async ({
      page,
    }) => {
      test.setTimeout(300_000);
      await page.setViewportSize(size);
      await page.emulateMedia({ colorScheme: theme });
      await page.goto(host.url);
      const shell = new Shell(page);
      let canvases = 0;
      const perScreen: Record<string, number> = {};
      const problems: string[] = [];
      for (const { nav, tab, name: screen } of SCREENS) {
        await shell.goTo(nav);
        if (tab) await page.getByTestId(tab).click();
        await expect(page.locator('main.content h1, main.content [role="tablist"]').first()).toBeVisible();
        // Let the screen load what it shows (lists, runs, a first simulation) before looking.
        await page.waitForLoadState('networkidle').catch(() => undefined);
        await page.waitForTimeout(1500);
        const count = await markDrawables(page);
        for (let k = 0; k < count; k++) await expectCanvasDrawn(page.locator(`[data-smoke-drawable="${k}"]`), 20);
        canvases += count;
        perScreen[screen] = count;
        problems.push(...(await overflowing(page)).map((p) => `${screen}: ${p}`));
        await page.screenshot({ path: join(artifactsDir, `smoke-${screen}-${label}.png`) });
      }
      tally.push({ theme, size: `${size.width}x${size.height}`, screens: SCREENS.length, canvases, perScreen });
      expect(problems, `what overflows or is cut off at ${label}`).toEqual([]);
    });
  }
}
