import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importHoldingsCsv, normaliseReportDate, suggestHoldingsMapping } from '../../src-main/io/holdings-csv';
import { RowErrorsImportError } from '../../src-main/io/row-errors';
import { openDatabase, type Db } from '../../src-main/store/db';
import { holdingsDates, holdingsSummary } from '../../src-main/store/holdings';
import { datasets } from '../../src-main/store/repositories';
import { tempDir } from '../support/fixtures';
import { testStoreKey } from '../support/store-key';

let dir: ReturnType<typeof tempDir>;
let db: Db;
afterEach(() => {
  db?.close();
  dir?.remove();
});

function fresh(): void {
  dir = tempDir('cwb-holdings-');
  db = openDatabase(join(dir.path, 'data'), { key: testStoreKey() });
}

const DATES = ['2024-03-31', '2024-06-30', '2024-09-30', '2024-12-31'];

/** rows positions over nInvestors × nAssets, every (investor, asset, date) at most once. */
function holdingsCsv(rows: number, nInvestors = 50, nAssets = 200): string {
  const lines = ['investor_id,Investor Name,investor type,asset,asset class,currency,report date,market value'];
  for (let k = 0; k < rows; k += 1) {
    const date = DATES[k % DATES.length]!;
    const slot = Math.floor(k / DATES.length);
    const investor = slot % nInvestors;
    const asset = Math.floor(slot / nInvestors) % nAssets;
    lines.push(
      `INV${investor},"Fund ${investor}, Ltd",${investor % 3 === 0 ? 'bank' : 'fund'},ISIN${asset},bond,EUR,${date},${(k % 997) + 0.25}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function write(name: string, text: string | Uint8Array): string {
  const path = join(dir.path, name);
  writeFileSync(path, text);
  return path;
}

function tableCounts() {
  const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  return {
    datasets: count('datasets'),
    investors: count('investors'),
    assets: count('assets'),
    positions: count('positions'),
  };
}

describe('holdings CSV import', () => {
  it('imports a generated 10,000-row file: counts, dates, dataset record and progress', async () => {
    fresh();
    const filePath = write('holdings.csv', holdingsCsv(10_000));
    const progress: number[] = [];
    const result = await importHoldingsCsv(db, {
      filePath,
      fileName: 'holdings.csv',
      datasetName: 'Q1–Q4 2024',
      onProgress: (rows, bytesDone, bytesTotal) => {
        progress.push(rows);
        expect(bytesDone).toBeLessThanOrEqual(bytesTotal);
      },
    });
    expect(result).toMatchObject({ investors: 50, assets: 50, positions: 10_000, skipped: [] });
    expect(progress.at(-1)).toBe(10_000);
    const summary = holdingsSummary(db, result.datasetId);
    expect(summary).toMatchObject({ investors: 50, assets: 50, positions: 10_000, dates: DATES });
    expect(summary.perDate.map((d) => d.positions)).toEqual([2500, 2500, 2500, 2500]);
    expect(holdingsDates(db, result.datasetId)).toEqual(DATES);
    const dataset = datasets.get(db, result.datasetId);
    expect(dataset).toMatchObject({ name: 'Q1–Q4 2024', kind: 'holdings', sourceFile: 'holdings.csv' });
    expect(dataset.sha256).toMatch(/^[0-9a-f]{64}$/);
    const investor = db.prepare("SELECT name, type FROM investors WHERE code = 'INV3'").get();
    expect(investor).toEqual({ name: 'Fund 3, Ltd', type: 'bank' });
    const total = db.prepare('SELECT TOTAL(amount) AS t FROM positions').get() as { t: number };
    const expected = Array.from({ length: 10_000 }, (_, k) => (k % 997) + 0.25).reduce((a, b) => a + b, 0);
    expect(total.t).toBeCloseTo(expected, 6);
  });

  it('refuses the whole file on bad rows, names them, and leaves the store unchanged', async () => {
    fresh();
    await importHoldingsCsv(db, {
      filePath: write('first.csv', holdingsCsv(100)),
      fileName: 'first.csv',
      datasetName: 'first',
    });
    const before = tableCounts();
    const lines = holdingsCsv(5_000).split('\n');
    lines[2500] = 'INV1,x,fund,ISIN1,bond,EUR,2024-13-01,5';
    lines[4000] = 'INV2,x,fund,ISIN2,bond,EUR,2024-03-31,-3';
    lines[4001] = ',x,fund,ISIN2,bond,EUR,2024-03-31,abc';
    const error = await importHoldingsCsv(db, {
      filePath: write('bad.csv', lines.join('\n')),
      fileName: 'bad.csv',
      datasetName: 'bad',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RowErrorsImportError);
    // One line of at most 300 characters: the rows that fit, then how many more (all four are in rowErrors).
    expect((error as RowErrorsImportError).message).toBe(
      'bad.csv: 3 rows refused: row 2501, column "report date": not a date (expected YYYY-MM-DD) — "2024-13-01"; ' +
        'row 4001, column "market value": must be ≥ 0; row 4002, column "investor_id": missing investor id; … and 1 more',
    );
    expect((error as RowErrorsImportError).rowErrors.at(-1)).toMatchObject({
      row: 4002,
      column: 'market value',
      message: 'not a number — "abc"',
    });
    expect(tableCounts()).toEqual(before);
    expect(db.inTransaction).toBe(false);
  });

  it('stops after 100 row errors', async () => {
    fresh();
    const lines = ['investor,asset,date,amount', ...Array.from({ length: 500 }, (_, i) => `I${i},A,2024-01-01,minus`)];
    const error = (await importHoldingsCsv(db, {
      filePath: write('x.csv', lines.join('\n')),
      fileName: 'x.csv',
      datasetName: 'x',
    }).catch((e: unknown) => e)) as RowErrorsImportError;
    expect(error.rowErrors).toHaveLength(100);
    expect(error.message).toMatch(
      /^x\.csv: 100 rows refused: row 2, column "amount": not a number — "minus"; .*… and \d+ more$/,
    );
    expect(error.message.length).toBeLessThanOrEqual(300);
    expect(tableCounts()).toEqual({ datasets: 0, investors: 0, assets: 0, positions: 0 });
  });

  it('refuses a second position for the same investor, asset and date', async () => {
    fresh();
    const text = 'investor,asset,date,amount\nI1,A1,2024-01-01,5\nI1,A2,2024-01-01,5\nI1,A1,20240101,7\n';
    await expect(
      importHoldingsCsv(db, { filePath: write('dup.csv', text), fileName: 'dup.csv', datasetName: 'dup' }),
    ).rejects.toThrow('dup.csv: 1 row refused: row 4: second position of investor "I1" in asset "A1" on 2024-01-01');
    expect(tableCounts().positions).toBe(0);
  });

  it('detects a file imported before (same SHA-256) as a conflict and keeps the first', async () => {
    fresh();
    const text = holdingsCsv(1_000);
    const first = await importHoldingsCsv(db, { filePath: write('a.csv', text), fileName: 'a.csv', datasetName: 'A' });
    const before = tableCounts();
    const error = await importHoldingsCsv(db, {
      filePath: write('renamed.csv', text),
      fileName: 'renamed.csv',
      datasetName: 'B',
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'conflict' });
    expect((error as Error).message).toMatch(new RegExp(`already imported as dataset ${first.datasetId} "A"`));
    expect(tableCounts()).toEqual(before);
  });

  it('uses an explicit mapping, skips empty rows, and reads windows-1252 files', async () => {
    fresh();
    const latin = Buffer.concat([
      Buffer.from('Holder;Security;As of;Nominal;Name\n'),
      Buffer.from('H1;S1;2024-01-31;10;Soci'),
      Buffer.from([0xe9]),
      Buffer.from('t'),
      Buffer.from([0xe9]),
      Buffer.from('\n;;;;\nH2;S1;2024/01/31;2.5;\n'),
    ]);
    const result = await importHoldingsCsv(db, {
      filePath: write('latin.csv', latin),
      fileName: 'latin.csv',
      datasetName: 'latin',
      mapping: { investor: 'Holder', asset: 'Security', date: 'As of', amount: 'Nominal', investorName: 'Name' },
    });
    expect(result).toMatchObject({ investors: 2, assets: 1, positions: 2 });
    expect(result.skipped).toEqual([{ file: 'latin.csv', row: 3, message: 'empty row' }]);
    expect(db.prepare("SELECT name FROM investors WHERE code = 'H1'").get()).toEqual({ name: 'Société' });
    expect(datasets.get(db, result.datasetId).report.notes).toContain(
      'read as windows-1252 (the file is not valid UTF-8)',
    );
  });

  it('stops and rolls back when aborted', async () => {
    fresh();
    const controller = new AbortController();
    const filePath = write('big.csv', holdingsCsv(200_000, 500, 500));
    const error = await importHoldingsCsv(db, {
      filePath,
      fileName: 'big.csv',
      datasetName: 'big',
      signal: controller.signal,
      onProgress: (rows) => {
        if (rows > 0) controller.abort();
      },
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('import of big.csv cancelled');
    expect(tableCounts()).toEqual({ datasets: 0, investors: 0, assets: 0, positions: 0 });
  });

  it('names missing columns', async () => {
    fresh();
    await expect(
      importHoldingsCsv(db, {
        filePath: write('m.csv', 'investor,asset,amount\nI,A,1\n'),
        fileName: 'm.csv',
        datasetName: 'm',
      }),
    ).rejects.toThrow(/m\.csv: no date column \(columns are "investor", "asset", "amount"\)/);
    expect(tableCounts().datasets).toBe(0);
  });

  it('suggests a mapping and normalises report dates', () => {
    expect(suggestHoldingsMapping(['Fund ID', 'ISIN', 'Report_Date', 'Market Value', 'CCY'])).toEqual({
      investor: 'Fund ID',
      asset: 'ISIN',
      date: 'Report_Date',
      amount: 'Market Value',
      assetCurrency: 'CCY',
    });
    expect(normaliseReportDate('20240229')).toBe('2024-02-29');
    expect(normaliseReportDate('2023-02-29')).toBeUndefined();
    expect(normaliseReportDate('2024-06-30T00:00:00Z')).toBe('2024-06-30');
    expect(normaliseReportDate('30/06/2024')).toBeUndefined();
  });
});
