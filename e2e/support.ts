/** End-to-end helpers: the app in browser mode over a data folder, and a page object for the shell. */
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isCsvCommentLine } from '../src-shared/formats/export-marking';

export const repoRoot = resolve(import.meta.dirname, '..');
export const artifactsDir = join(repoRoot, 'e2e/artifacts');
mkdirSync(artifactsDir, { recursive: true });

export const newDataDir = () => mkdtempSync(join(tmpdir(), 'cwb-e2e-'));

/**
 * The store key of the hosts and Electron apps these tests start: CWB_KEY_FILE, else a 0600 key file of its own
 * temporary folder, put in this process's environment so every process a test starts inherits it.
 */
const storeKeyFile = (process.env.CWB_KEY_FILE ||= (() => {
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

/** A console message or page error the app produced while a test ran. */
export interface AppProblem {
  kind: string;
  text: string;
  where: string;
}

/**
 * Cytoscape's notice that it skipped drawing an edge whose two banks the force layout placed on top of each other
 * (its own words: "expected behaviour when the source node and the target node overlap"). Where it appears depends on
 * the layout's random start, not on the app; it is the one message the fixture lets pass.
 */
const CYTOSCAPE_OVERLAP_NOTICE =
  /^Edge `[^`]+` has invalid endpoints and so it is impossible to draw\..*the source node and the target node overlap\.$/s;

/**
 * The Playwright test every spec uses. Its `page` fails the test on any console error or warning and any page
 * error (an uncaught exception or rejected promise), so no spec can pass while the app complains; `problems` is the
 * list so far, for a spec that wants to assert on it at a given step. `startHost` starts hosts that are stopped when
 * the test ends, pass or fail.
 */
export const test = base.extend<{ startHost: (dataDir: string) => Promise<RunningHost>; problems: AppProblem[] }>({
  problems: async ({}, use) => {
    await use([]);
  },
  page: async ({ page, problems }, use) => {
    page.on('console', (message) => {
      if (message.type() !== 'error' && message.type() !== 'warning') return;
      if (CYTOSCAPE_OVERLAP_NOTICE.test(message.text())) return;
      const { url, lineNumber } = message.location();
      problems.push({
        kind: `console ${message.type()}`,
        text: message.text(),
        where: url ? `${url}:${lineNumber}` : '',
      });
    });
    page.on('pageerror', (error) =>
      problems.push({ kind: 'page error', text: error.stack ?? error.message, where: '' }),
    );
    await use(page);
    expect(
      problems.map((p) => `${p.kind}: ${p.text}${p.where ? ` (${p.where})` : ''}`),
      'console errors, warnings and page errors from the app',
    ).toEqual([]);
  },
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

/**
 * Takes the console messages a test provoked on purpose (matching `pattern`) off the list the fixture checks, and
 * asserts there was at least one; every other message still fails the test.
 */
export function acknowledgeProblems(problems: AppProblem[], pattern: RegExp) {
  const kept = problems.filter((p) => !pattern.test(p.text));
  expect(problems.length - kept.length, `a console message matching ${pattern}`).toBeGreaterThan(0);
  problems.splice(0, problems.length, ...kept);
}

/** Records every request the page makes, so a test can prove nothing left the machine. */
export function recordRequests(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (request) => urls.push(request.url()));
  page.on('websocket', (socket) => urls.push(socket.url()));
  return urls;
}

export function expectOnlyLoopback(urls: string[]) {
  const outside = urls.filter(
    (url) => !/^(https?|wss?):\/\/127\.0\.0\.1:\d+\//.test(url) && !/^(data|blob):/.test(url),
  );
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

/**
 * What a canvas shows inside its plot area: the number of distinct colours (quantised to 4 bits a channel, pixels
 * under half opacity counted as the background) and of inked pixels. A Chart.js chart names its plot area in
 * `data-plot-area` (left,top,right,bottom in CSS pixels, see use-chart.ts), so axes, ticks and titles do not count;
 * any other canvas (Cytoscape layers, the heatmap) is read whole.
 */
export async function canvasInk(
  locator: Locator,
): Promise<Array<{ colours: number; inked: number; width: number; height: number }>> {
  return locator.evaluate((root) => {
    const canvases = root instanceof HTMLCanvasElement ? [root] : [...root.querySelectorAll('canvas')];
    return canvases.map((canvas) => {
      const scale = canvas.width / Math.max(1, canvas.clientWidth);
      const area = canvas.dataset.plotArea?.split(',').map(Number) ?? [0, 0, canvas.clientWidth, canvas.clientHeight];
      // Two pixels in from the edge so the axis lines on the border of the plot area are not counted.
      const [left, top, right, bottom] = area.map((v, i) => Math.round((v + (i < 2 ? 2 : -2)) * scale)) as [
        number,
        number,
        number,
        number,
      ];
      const width = Math.max(0, right - left);
      const height = Math.max(0, bottom - top);
      const context = canvas.getContext('2d');
      if (!context || width === 0 || height === 0) return { colours: 0, inked: 0, width, height };
      const pixels = context.getImageData(left, top, width, height).data;
      const colours = new Set<number>();
      let inked = 0;
      for (let k = 0; k < pixels.length; k += 4) {
        if (pixels[k + 3]! < 128) {
          colours.add(-1);
          continue;
        }
        inked++;
        colours.add(((pixels[k]! >> 4) << 8) | ((pixels[k + 1]! >> 4) << 4) | (pixels[k + 2]! >> 4));
      }
      return { colours: colours.size, inked, width, height };
    });
  });
}

/**
 * Passes once a chart or graph canvas (or one of the canvases inside `locator`, for a Cytoscape view) has drawn
 * something in its plot area: pixels of more than one colour, at least `minInked` of them inked (grid lines are
 * faint and do not count). An empty chart with only its axes and grid fails.
 */
export async function expectCanvasDrawn(locator: Locator, minInked = 30) {
  await expect(locator).toBeVisible();
  await expect
    .poll(async () => (await canvasInk(locator)).some((c) => c.colours > 1 && c.inked >= minInked), {
      message: `a canvas in ${locator.toString()} drew something inside its plot area`,
      timeout: 10_000,
    })
    .toBe(true);
}

const SUPERSCRIPT_DIGITS = '⁰¹²³⁴⁵⁶⁷⁸⁹';

/**
 * A figure as the screens write it ("1,234.5", "−0.412", "12.3 %", "< 0.01 %", "1.2 × 10⁻⁵"), or NaN for "—" and
 * words. Durations ("2 min 05 s") are not read as figures.
 */
export function readFigure(text: string): number {
  const t = text.trim().replace(/^<\s*/, '').replace(/,/g, '').replace(/−/g, '-');
  const power = /^(-?\d+(?:\.\d+)?) × 10(⁻?)([⁰¹²³⁴⁵⁶⁷⁸⁹]+)/.exec(t);
  if (power)
    return (
      Number(power[1]) *
      10 ** ((power[2] ? -1 : 1) * Number([...power[3]!].map((c) => SUPERSCRIPT_DIGITS.indexOf(c)).join('')))
    );
  const plain = /^-?\d+(?:\.\d+)?/.exec(t);
  return plain ? Number(plain[0]) : NaN;
}

/**
 * Sorts the DataTable `testid` (DataTable.vue) by the column whose header button's name starts with `header`: one
 * click for ascending, two for descending. Checks that this header alone carries that aria-sort and that the column
 * reads in that order on screen: by figure when every cell holds one (an edit field by its value), else by text,
 * with empty cells ("—") last in either direction. Returns the column's cells as read.
 */
export async function sortTable(
  page: Page,
  testid: string,
  header: string,
  direction: 'ascending' | 'descending',
): Promise<string[]> {
  const table = page.getByTestId(testid);
  const button = table
    .locator('thead')
    .getByRole('button', { name: new RegExp(`^${header.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) });
  await button.click();
  if (direction === 'descending') await button.click();
  const sorted = table.locator('thead th[aria-sort]:not([aria-sort="none"])');
  await expect(sorted).toHaveCount(1);
  await expect(sorted).toHaveAttribute('aria-sort', direction);
  await expect(sorted).toContainText(header);
  const index = await sorted.evaluate((th) => [...th.parentElement!.children].indexOf(th));
  const cells = await table.locator('tbody tr').evaluateAll(
    (rows, k) =>
      rows.map((row) => {
        const cell = row.children[k];
        return cell?.querySelector('input')?.value ?? (cell?.textContent ?? '').trim();
      }),
    index,
  );
  const present = cells.filter((cell) => cell !== '—' && cell !== '');
  expect(cells.slice(0, present.length), `${testid}: empty cells sort last`).toEqual(present);
  const sign = direction === 'ascending' ? 1 : -1;
  const byFigure = present.every((cell) => !Number.isNaN(readFigure(cell)));
  const compare = (a: string, b: string) =>
    byFigure ? readFigure(a) - readFigure(b) : a.localeCompare(b, undefined, { numeric: true });
  const outOfOrder = present
    .slice(1)
    .flatMap((cell, k) => (sign * compare(present[k]!, cell) > 0 ? [`${present[k]} before ${cell}`] : []));
  expect(outOfOrder, `${testid} sorted by ${header}, ${direction}`).toEqual([]);
  return cells;
}

/** Saves the DataTable `testid` through its CSV button; returns the file's name and its lines (no marking comment). */
export async function saveTableCsv(page: Page, testid: string): Promise<{ fileName: string; lines: string[] }> {
  const download = page.waitForEvent('download');
  await page.getByTestId(`${testid}-csv`).click();
  const file = await download;
  const text = readFileSync(await file.path(), 'utf8');
  return {
    fileName: file.suggestedFilename(),
    lines: text.split(/\r?\n/).filter((line) => line !== '' && !isCsvCommentLine(line)),
  };
}

/**
 * Holds the host's answers on one channel of browser mode's WebSocket once `hold()` is called, until `release()`:
 * a test can then act while a screen still waits for them, as a user of a slow store would. Route before `goto`.
 */
export async function holdAnswers(page: Page, channel: string) {
  const asked = new Set<number>();
  const held: (() => void)[] = [];
  let holding = false;
  await page.routeWebSocket(/\/api\?/, (socket) => {
    const server = socket.connectToServer();
    socket.onMessage((message) => {
      if (typeof message === 'string') {
        const request = JSON.parse(message) as { id: number; channel: string };
        if (request.channel === channel) asked.add(request.id);
      }
      server.send(message);
    });
    server.onMessage((message) => {
      if (holding && typeof message === 'string' && asked.has((JSON.parse(message) as { id?: number }).id ?? -1))
        held.push(() => socket.send(message));
      else socket.send(message);
    });
  });
  return {
    hold: () => {
      holding = true;
    },
    /**
     * Waits until `count` answers are held, then stops holding and sends them: in order, or the newest first (an
     * earlier request answered last, as a larger run or a busier store may be).
     */
    release: async ({ count = 1, newestFirst = false } = {}) => {
      await expect
        .poll(() => held.length, { message: `${count} answers on ${channel} held` })
        .toBeGreaterThanOrEqual(count);
      holding = false;
      const answers = held.splice(0);
      (newestFirst ? answers.reverse() : answers).forEach((send) => send());
    },
  };
}
