/** End-to-end helpers: the app in browser mode over a data folder, and a page object for the shell. */
import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..');
export const artifactsDir = join(repoRoot, 'e2e/artifacts');
mkdirSync(artifactsDir, { recursive: true });

export const newDataDir = () => mkdtempSync(join(tmpdir(), 'cwb-e2e-'));

/**
 * The store key of the hosts and Electron apps these tests start: CWB_KEY_FILE, else a 0600 key file of its own
 * temporary folder, put in this process's environment so every process a test starts inherits it.
 */
const storeKeyFile = (process.env.CWB_KEY_FILE ??= (() => {
  const file = join(mkdtempSync(join(tmpdir(), 'cwb-e2e-key-')), 'store.key');
  writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return file;
})());

export interface RunningHost {
  url: string;
  origin: string;
  stop(): Promise<void>;
}

/** Starts `bin/web.mjs` (the same script as `npm run web`) and waits for its address. */
export async function startHost(dataDir: string): Promise<RunningHost> {
  const child: ChildProcess = spawn(process.execPath, [join(repoRoot, 'bin/web.mjs'), '--data-dir', dataDir], {
    cwd: repoRoot,
    env: { ...process.env, CWB_KEY_FILE: storeKeyFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr!.on('data', (chunk) => (errors += String(chunk)));
  const url = await new Promise<string>((resolvePromise, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk) => {
      buffer += String(chunk);
      const line = buffer.split('\n').find((l) => l.startsWith('http://127.0.0.1:'));
      if (line) resolvePromise(line.trim());
    });
    child.on('exit', (code) => reject(new Error(`host exited with ${code}: ${errors}`)));
  });
  return {
    url,
    origin: new URL(url).origin,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/** The Playwright test with a `startHost` fixture: every host it starts is stopped when the test ends, pass or fail. */
export const test = base.extend<{ startHost: (dataDir: string) => Promise<RunningHost> }>({
  startHost: async ({}, use) => {
    const started: RunningHost[] = [];
    await use(async (dataDir) => {
      const host = await startHost(dataDir);
      started.push(host);
      return host;
    });
    await Promise.all(started.map((host) => host.stop()));
  },
});
export { expect };

/** Records every request the page makes, so a test can prove nothing left the machine. */
export function recordRequests(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (request) => urls.push(request.url()));
  page.on('websocket', (socket) => urls.push(socket.url()));
  return urls;
}

export function expectOnlyLoopback(urls: string[]) {
  const outside = urls.filter((url) => !/^(https?|wss?):\/\/127\.0\.0\.1:\d+\//.test(url) && !/^(data|blob):/.test(url));
  expect(urls.length, 'the page made requests').toBeGreaterThan(0);
  expect(outside, 'requests that left 127.0.0.1').toEqual([]);
}

export class Shell {
  constructor(readonly page: Page) {}
  async goTo(screen: string) {
    await this.page.getByTestId(`nav-${screen}`).click();
  }
  datasetRows() {
    return this.page.getByTestId('datasets').locator('tbody tr');
  }
  async importFile(path: string) {
    const chooser = this.page.waitForEvent('filechooser');
    await this.page.getByTestId('import').click();
    await (await chooser).setFiles(path);
  }
}
