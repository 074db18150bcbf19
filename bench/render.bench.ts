/**
 * Renderer benchmark: how the Network editor screen (Cytoscape) copes with a 1,000-bank, 20,000-liability random
 * sparse network (randomSparseNetwork(1000, 20, 7)) and with the 87-bank EBA 2011 network the app seeds, in
 * headless Chromium against the browser-mode host (bin/web.mjs over a fresh data folder). Milliseconds, measured
 * from Node around the user's actions: import of the network@1 JSON through the Data screen's file input (click →
 * "Imported"), first draw after choosing the version (→ canvas, legend and two animation frames), a layout change
 * to grid and to concentric (→ two frames), a search-select of one bank (→ "Bank <id>" in the property panel), and
 * the median rAF frame time while 20 wheel events (one per frame) zoom in and out over the canvas; with the edges
 * shown vs hidden read from the legend. Reference: the same Chromium loading and drawing a plain page with one
 * canvas, and its idle frame time.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { randomSparseNetwork } from '../src-main/engines/synthetic';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const TIMEOUT = 120_000;
const ms = (value: number) => Math.round(value * 10) / 10;

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return ms(performance.now() - started);
}

function spawnOk(command: string, args: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) =>
      code === 0 ? done() : fail(new Error(`${command} ${args.join(' ')} exited with ${code}`)),
    );
  });
}

/** Starts bin/web.mjs over `dataDir` (as e2e/support.ts startHost) and waits for its URL line. */
async function startHost(dataDir: string) {
  const child = spawn(process.execPath, [join(root, 'bin/web.mjs'), '--data-dir', dataDir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr.on('data', (chunk) => (errors += String(chunk)));
  const url = await new Promise<string>((done, fail) => {
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += String(chunk);
      const line = buffer.split('\n').find((l) => l.startsWith('http://127.0.0.1:'));
      if (line) done(line.trim());
    });
    child.on('exit', (code) => fail(new Error(`host exited with ${code}: ${errors}`)));
  });
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
  return { url, stop };
}

/** Resolves after two animation frames, i.e. once whatever was queued has been drawn. */
const settle = (page: Page) =>
  page.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))));

/**
 * rAF frame intervals over `frames` frames (with `wheel`, one wheel event per frame over the canvas: zoom in, then
 * out), median and max; then the longest of `after` further frames, which covers Cytoscape's full redraw 150 ms
 * after the last wheel event.
 */
function frameTimes(page: Page, frames: number, wheel: boolean, after = 0) {
  return page.evaluate(
    async ({ frames, wheel, after }) => {
      const container = document.querySelector<HTMLElement & { _cyreg?: { cy?: { zoom(): number } } }>(
        '[data-testid=editor-canvas]',
      );
      const target = container?.querySelector('canvas:last-of-type');
      if (wheel && (!container || !target)) throw new Error('no editor canvas');
      const box = container?.getBoundingClientRect();
      const zoomBefore = container?._cyreg?.cy?.zoom();
      // No named helpers in here: tsx would wrap them in a __name() call that does not exist in the page.
      let last = await new Promise<number>((done) => requestAnimationFrame(done));
      const intervals: number[] = [];
      for (let i = 0; i < frames; i += 1) {
        if (wheel) {
          const deltaY = i < frames / 2 ? -100 : 100;
          target!.dispatchEvent(
            new WheelEvent('wheel', {
              deltaY,
              clientX: box!.left + box!.width / 2,
              clientY: box!.top + box!.height / 2,
              bubbles: true,
              cancelable: true,
            }),
          );
        }
        const now = await new Promise<number>((done) => requestAnimationFrame(done));
        intervals.push(now - last);
        last = now;
      }
      const zoomAfter = container?._cyreg?.cy?.zoom();
      let afterMax = 0;
      for (let i = 0; i < after; i += 1) {
        const now = await new Promise<number>((done) => requestAnimationFrame(done));
        afterMax = Math.max(afterMax, now - last);
        last = now;
      }
      intervals.sort((a, b) => a - b);
      return {
        median: intervals[Math.floor(intervals.length / 2)]!,
        max: intervals.at(-1)!,
        afterMax,
        zoomBefore,
        zoomAfter,
      };
    },
    { frames, wheel, after },
  );
}

/** The same Chromium loading a plain page with one canvas and drawing on it (median of 5 fresh pages); its idle frame time. */
async function reference(browser: Browser) {
  const html = `<!doctype html><canvas id="c" width="1000" height="700"></canvas><script>
    const g = document.getElementById('c').getContext('2d');
    for (let i = 0; i < 1000; i++) { g.beginPath(); g.arc((i * 37) % 1000, (i * 53) % 700, 6, 0, 2 * Math.PI); g.fill(); }
  </script>`;
  const loads: number[] = [];
  let idleFrameMs = 0;
  for (let k = 0; k < 5; k += 1) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    loads.push(
      await timed(async () => {
        await page.setContent(html);
        await settle(page);
      }),
    );
    if (k === 4) idleFrameMs = ms((await frameTimes(page, 20, false)).median);
    await page.close();
  }
  loads.sort((a, b) => a - b);
  return { loadDrawMs: loads[2]!, loadDrawMaxMs: loads[4]!, idleFrameMs };
}

/** Chooses a network version in the editor and measures drawing, layouts, a search-select and zooming. */
async function measureVersion(page: Page, optionText: string, nodes: number, liabilities: number, searchId: string) {
  const select = page.getByTestId('editor-version');
  const option = select.locator('option', { hasText: optionText });
  const value = await option.getAttribute('value', { timeout: TIMEOUT });
  if (!value) throw new Error(`no version option "${optionText}"`);
  if ((await select.inputValue()) === value)
    throw new Error(`"${optionText}" is already shown; choose another version first`);
  const legend = page.locator('[data-testid=editor-canvas] ~ p.legend');
  const firstDraw = await timed(async () => {
    await select.selectOption(value);
    await legend.filter({ hasText: `${nodes} nodes, ${liabilities} liabilities` }).waitFor({ timeout: TIMEOUT });
    await page.locator('[data-testid=editor-canvas] canvas').first().waitFor({ timeout: TIMEOUT });
    await settle(page);
  });
  const legendText = (await legend.textContent()) ?? '';
  const hidden = Number(/\((\d+) smaller or filtered liabilities hidden\)/.exec(legendText)?.[1] ?? 0);

  const layout = page.locator('select:has(option[value=grid])');
  const layoutTo = (name: string) =>
    timed(async () => {
      await layout.selectOption(name);
      await settle(page);
    });
  const layoutGrid = await layoutTo('grid');
  const layoutConcentric = await layoutTo('concentric');

  const search = page.getByTestId('editor-search');
  const select1 = await timed(async () => {
    await search.fill(searchId);
    await search.press('Enter');
    await page
      .getByTestId('editor-properties')
      .locator('h2', { hasText: `Bank ${searchId}` })
      .waitFor({ timeout: TIMEOUT });
    await settle(page);
  });

  await page.waitForTimeout(300); // let the fit animation and texture caches of the selection settle
  const zoom = await frameTimes(page, 20, true, 30);
  return {
    nodes,
    liabilities,
    edgesShown: liabilities - hidden,
    edgesHidden: hidden,
    firstDrawMs: firstDraw,
    layoutGridMs: layoutGrid,
    layoutConcentricMs: layoutConcentric,
    selectMs: select1,
    zoomMedianFrameMs: ms(zoom.median),
    zoomMaxFrameMs: ms(zoom.max),
    redrawAfterZoomMaxFrameMs: ms(zoom.afterMax),
    zoomChanged: zoom.zoomBefore !== undefined && zoom.zoomAfter !== undefined && zoom.zoomBefore !== zoom.zoomAfter,
  };
}

export async function run(): Promise<Record<string, unknown>> {
  if (!existsSync(join(root, 'out/renderer/index.html'))) await spawnOk('npx', ['electron-vite', 'build']);
  const dataDir = mkdtempSync(join(tmpdir(), 'cwb-bench-render-'));
  const network = randomSparseNetwork(1000, 20, 7);
  const file = join(dataDir, 'random-sparse-1000.json');
  writeFileSync(file, JSON.stringify(network));

  let browser: Browser | undefined;
  let host: Awaited<ReturnType<typeof startHost>> | undefined;
  try {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    const ref = await reference(browser);
    host = await startHost(dataDir);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(TIMEOUT);
    await page.goto(host.url);
    await page.getByTestId('datasets').locator('tbody tr').first().waitFor();

    const importMs = await timed(async () => {
      const chooser = page.waitForEvent('filechooser');
      await page.getByTestId('import').click();
      await (await chooser).setFiles(file);
      await page.getByTestId('message').filter({ hasText: 'Imported' }).waitFor();
    });

    // The screen opens the newest version (the imported network); choosing EBA first makes each choice a switch.
    const openScreenMs = await timed(async () => {
      await page.getByTestId('nav-network').click();
      await page.locator('[data-testid=editor-canvas] ~ p.legend').waitFor();
      await settle(page);
    });
    const eba = await measureVersion(page, 'EBA 2011, 87 banks v2', 87, 7482, 'DE017');
    const sparse = await measureVersion(
      page,
      `${network.name} v1`,
      network.nodes.length,
      network.liabilities.length,
      'B0500',
    );
    return {
      reference: ref,
      importMs,
      openScreenMs,
      sparse1000: sparse,
      eba87: eba,
      ratios: {
        sparseFirstDrawVsReference: ms(sparse.firstDrawMs / ref.loadDrawMs),
        ebaFirstDrawVsReference: ms(eba.firstDrawMs / ref.loadDrawMs),
        sparseZoomFrameVsIdle: ms(sparse.zoomMedianFrameMs / ref.idleFrameMs),
      },
    };
  } finally {
    await browser?.close();
    await host?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
