// Runs only where the Electron binary exists (see playwright.config.ts): the real app, same checks as browser mode.
import { _electron as electron, expect, test } from '@playwright/test';
import { join } from 'node:path';
import { artifactsDir, newDataDir, repoRoot, Shell } from './support';

test('the desktop app opens hardened with the bundled 87 banks', async () => {
  const dataDir = newDataDir();
  const app = await electron.launch({ args: [repoRoot], env: { ...process.env, CWB_DATA_DIR: dataDir } });
  const page = await app.firstWindow();
  const shell = new Shell(page);
  await expect(shell.datasetRows().first()).toContainText('EBA 2011, 87 banks');
  const url = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.webContents.getURL());
  expect(url).toMatch(/^app:\/\/bundle\//);
  expect(await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
  expect(await page.evaluate(() => typeof (window as unknown as { cwb?: { invoke?: unknown } }).cwb?.invoke)).toBe(
    'function',
  );
  await shell.goTo('about');
  await expect(page.getByTestId('about-data-dir')).toHaveText(dataDir);
  await page.screenshot({ path: join(artifactsDir, 'electron-data-screen.png') });
  await app.close();
});
