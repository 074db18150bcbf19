/**
 * Holdings larger than memory, streamed (issue 19): a generated holdings panel saved in an encrypted store, then one
 * epoch of mini-batch training on it in two child processes — the dataset loaded whole into memory, and read one
 * date at a time as the gt-train job reads it — with each one's peak resident memory, its time and a hash of the
 * trained weights (equal: the same training). `npm run bench -- holdings-stream` (quick: 16 dates × ~300,000
 * positions) or with `--full` (40 dates × ~500,000 positions).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateHoldings } from '../src-main/engines/holdings-generator';
import { openDatabase } from '../src-main/store/db';
import { saveHoldingsPanel } from '../src-main/store/holdings-panel';
import { lastJsonLine } from './child-json';

const here = fileURLToPath(new URL('.', import.meta.url));
const full = process.argv.includes('--full');

export function run(): Record<string, unknown> {
  // many dates of moderate size: what is held whole grows with the dates, what is streamed does not
  const shape = full
    ? { investors: 10_000, assets: 50_000, positionsPerInvestor: 50, dates: 40 }
    : { investors: 10_000, assets: 20_000, positionsPerInvestor: 30, dates: 16 };
  const batchInvestors = 2000;
  const dir = mkdtempSync(join(tmpdir(), 'cwb-holdings-stream-'));
  const key = randomBytes(32);
  try {
    let started = performance.now();
    const panel = generateHoldings({ ...shape, seed: 1 });
    const positions = panel.snapshots.reduce((n, s) => n + s.amount.length, 0);
    const db = openDatabase(dir, { key });
    const { datasetId } = saveHoldingsPanel(db, panel, {
      name: 'generated',
      sourceFile: 'generator',
      importer: 'bench',
      notes: [],
    });
    db.close();
    const saveSeconds = (performance.now() - started) / 1000;
    const side = (mode: 'panel' | 'stream') =>
      lastJsonLine<Record<string, unknown>>(
        process.execPath,
        [
          '--import',
          'tsx',
          join(here, 'holdings-stream-case.ts'),
          mode,
          dir,
          String(datasetId),
          String(batchInvestors),
        ],
        { CWB_BENCH_KEY: key.toString('hex') },
      );
    started = performance.now();
    const whole = side('panel');
    const streamed = side('stream');
    return {
      ...shape,
      positions,
      batchInvestors,
      saveSeconds: Math.round(saveSeconds),
      whole,
      streamed,
      sameWeights: whole.weightsSha256 === streamed.weightsSha256,
      memoryRatio: Math.round(((whole.peakRssMiB as number) / (streamed.peakRssMiB as number)) * 100) / 100,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
