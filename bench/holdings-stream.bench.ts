/**
 * Holdings larger than memory, streamed (issue 19): a generated holdings panel saved in an encrypted store, then one
 * epoch of mini-batch training on it in two child processes — the dataset loaded whole into memory, and read one
 * date at a time as the gt-train job reads it — with each one's peak resident memory, its time and a hash of the
 * trained weights (equal: the same training). `npm run bench -- holdings-stream` (quick: 6 dates × ~500,000
 * positions) or with `--full` (6 dates × ~3,000,000 positions).
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
  const shape = full
    ? { investors: 30_000, assets: 100_000, positionsPerInvestor: 100, dates: 6 }
    : { investors: 20_000, assets: 40_000, positionsPerInvestor: 25, dates: 6 };
  const batchInvestors = full ? 3000 : 2000;
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
