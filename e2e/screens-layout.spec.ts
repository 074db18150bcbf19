import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { artifactsDir, newDataDir, Shell, expect, test } from './support';

/** Buttons, tables, selects and inputs that reach past the window's right edge or out of their panel (cut off). */
async function cutOff(page: Page): Promise<string[]> {
  const width = page.viewportSize()!.width;
  return page.locator('main button, main table, main select, main input').evaluateAll(
    (elements, right) =>
      elements
        .filter((e) => {
          const box = e.getBoundingClientRect();
          // inside a horizontally scrolling wrapper the element is reachable, not cut off
          const scroller = e.parentElement?.closest('.table-wrap, .scroll, .panel');
          if (
            scroller &&
            scroller.scrollWidth > scroller.clientWidth &&
            getComputedStyle(scroller).overflowX !== 'visible'
          )
            return false;
          const panel = e.closest('.panel')?.getBoundingClientRect();
          return box.width > 0 && (box.right > right + 1 || (panel !== undefined && box.right > panel.right + 1));
        })
        .map((e) => e.outerHTML.slice(0, 100)),
    width,
  );
}

const SCREENS = ['data', 'intervention', 'models', 'capital', 'reconstruction', 'policy', 'about'];

test('my screens in light and dark at 1440×900 and 1024×700: nothing cut off, screenshots for review', async ({
  page,
  startHost,
}) => {
  const host = await startHost(newDataDir());
  const shell = new Shell(page);
  await page.goto(host.url);
  await expect(page.getByTestId('datasets')).toBeVisible();
  let walked = 0;
  for (const screen of SCREENS) {
    await shell.goTo(screen);
    await page.waitForTimeout(300);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [width, height] of [
        [1440, 900],
        [1024, 700],
      ] as const) {
        await page.setViewportSize({ width, height });
        expect(await cutOff(page), `${screen} ${scheme} ${width}×${height}`).toEqual([]);
        await page.screenshot({ path: join(artifactsDir, `screen-${screen}-${scheme}-${width}x${height}.png`) });
        walked++;
      }
    }
  }
  expect(walked).toBe(SCREENS.length * 4);
  // The help panel opens on every screen with that screen's method.
  await page.getByTestId('open-help').click();
  await expect(page.getByTestId('help-panel')).toContainText('About: the method');
  await page.screenshot({ path: join(artifactsDir, 'help-panel.png') });
  await host.stop();
});
