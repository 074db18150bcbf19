import { defineConfig } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Electron binary is fetched on first launch and cannot be downloaded on our build machines. Look for it
 * without `require('electron')`, which would try to download it.
 */
function electronBinaryAvailable(): boolean {
  const pathFile = join(import.meta.dirname, 'node_modules/electron/path.txt');
  return (
    existsSync(pathFile) &&
    existsSync(join(import.meta.dirname, 'node_modules/electron/dist', readFileSync(pathFile, 'utf8').trim()))
  );
}

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/playwright',
  timeout: 90_000,
  workers: 1,
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  use: {
    launchOptions: {
      executablePath: process.env.CWB_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
    viewport: { width: 1400, height: 900 },
  },
  projects: [
    { name: 'browser-mode', testMatch: /.*\.spec\.ts/, testIgnore: /electron/ },
    ...(electronBinaryAvailable() ? [{ name: 'electron', testMatch: /electron\.spec\.ts/ }] : []),
  ],
});
