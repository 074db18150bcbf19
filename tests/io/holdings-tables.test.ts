import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cellText, importHoldingsFile } from '../../src-main/io/holdings-tables';
import { RowErrorsImportError } from '../../src-main/io/row-errors';
import { openDatabase, type Db } from '../../src-main/store/db';
import { holdingsSummary } from '../../src-main/store/holdings';
import { loadHoldingsPanel } from '../../src-main/store/holdings-panel';
import { investorCharacteristics } from '../../src-main/engines/holdings-panel';
import { datasets } from '../../src-main/store/repositories';
import { tempDir } from '../support/fixtures';
import { testStoreKey } from '../support/store-key';
import { parquetFile } from '../support/parquet';
import { withEntriesLast, withoutEntries } from '../support/zip-order';

/** The temporary-file package ExcelJS's streaming reader parks worksheets with (the same module instance). */
const tmp = createRequire(import.meta.url)('tmp') as { file: (callback: () => void) => void };

let dir: ReturnType<typeof tempDir>;
let db: Db;
afterEach(() => {
  db?.close();
  dir?.remove();
});

function fresh(): void {
  dir = tempDir('cwb-holdings-tables-');
  db = openDatabase(join(dir.path, 'data'), { key: testStoreKey() });
}

/** A workbook: header, then rows [fund, isin, date (a Date cell), value, AUM, outstanding, type]. */
async function workbook(name: string, rows: unknown[][]): Promise<string> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('positions');
  sheet.addRow(['Fund', 'ISIN', 'Report date', 'Market value', 'AUM', 'Amount outstanding', 'Investor type']);
  for (const row of rows) sheet.addRow(row);
  const path = join(dir.path, name);
  await book.xlsx.writeFile(path);
  return path;
}

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

describe('holdings from XLSX', () => {
  it('reads the first sheet with date cells, maps AUM and amount outstanding, keeps provenance', async () => {
    fresh();
    const rows: Array<[string, string, Date, number, number | null, number | null, string]> = [];
    for (let k = 0; k < 300; k++) {
      rows.push([
        `F${k % 10}`,
        `ISIN${k % 37}`,
        day(k < 150 ? '2024-03-31' : '2024-06-30'),
        100 + k,
        k % 10 === 3 ? 5000 : null,
        k % 37 === 0 ? 1e6 : null,
        k % 2 ? 'fund' : 'bank',
      ]);
    }
    // duplicates (same fund, asset and date) would be refused: keep the first of each
    const seen = new Set<string>();
    const unique = rows.filter((r) => {
      const key = `${r[0]}|${r[1]}|${r[2].toISOString()}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const path = await workbook('holdings.xlsx', unique);
    const progress: number[] = [];
    const result = await importHoldingsFile(db, {
      filePath: path,
      fileName: 'holdings.xlsx',
      datasetName: 'Q1–Q2',
      onProgress: (n) => progress.push(n),
    });
    expect(result.positions).toBe(unique.length);
    expect(result.investors).toBe(10);
    const summary = holdingsSummary(db, result.datasetId);
    expect(summary.dates).toEqual(['2024-03-31', '2024-06-30']);
    const dataset = datasets.get(db, result.datasetId);
    expect(dataset.report.importer).toBe('holdings XLSX');
    expect(dataset.report.notes.join(' ')).toMatch(/sheet "positions"/);
    expect(dataset.sha256).toMatch(/^[0-9a-f]{64}$/);
    const { panel } = loadHoldingsPanel(db, result.datasetId);
    const f3 = panel.investors.findIndex((i) => i.code === 'F3');
    expect(panel.investors[f3]!.aum).toBe(5000);
    expect(panel.investors[panel.investors.findIndex((i) => i.code === 'F4')]!.aum).toBeNull();
    expect(panel.assets.find((a) => a.code === 'ISIN0')!.amountOutstanding).toBe(1e6);
    // characteristics: the given AUM is kept, a missing one is the sum of positions
    const characteristics = investorCharacteristics(panel, panel.snapshots[0]!);
    expect(characteristics.size[f3]).toBe(5000);
    // The same file twice is refused, naming the first import.
    await expect(
      importHoldingsFile(db, { filePath: path, fileName: 'again.xlsx', datasetName: 'again' }),
    ).rejects.toThrow(/already imported/);
  });

  it('refuses the whole file on bad rows, naming row and column, and leaves the store unchanged', async () => {
    fresh();
    const path = await workbook('bad.xlsx', [
      ['F1', 'A', day('2024-03-31'), 10, null, null, 'fund'],
      ['F2', 'A', 'yesterday', 10, null, null, 'fund'],
      ['F3', 'B', day('2024-03-31'), -4, null, null, 'fund'],
      ['F4', 'B', day('2024-03-31'), 4, 'lots', null, 'fund'],
    ]);
    const error = await importHoldingsFile(db, { filePath: path, fileName: 'bad.xlsx', datasetName: 'bad' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RowErrorsImportError);
    const rows = (error as RowErrorsImportError).rowErrors.map((r) => `${r.row}:${r.column}:${r.message}`);
    expect(rows).toEqual([
      '3:Report date:not a date (expected YYYY-MM-DD) — "yesterday"',
      '4:Market value:must be ≥ 0',
      '5:AUM:not an amount ≥ 0 — "lots"',
    ]);
    expect(datasets.list(db)).toEqual([]);
  });

  it('reads a workbook that stores its workbook part after its worksheets (exceljs#3064)', async () => {
    fresh();
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('positions');
    sheet.addRow(['Fund', 'ISIN', 'Report date', 'Market value']);
    for (let k = 0; k < 20; k++) sheet.addRow([`F${k % 3}`, `ISIN${k}`, day('2024-03-31'), 100 + k]);
    const written = new Uint8Array(await book.xlsx.writeBuffer());
    // ExcelJS stores the worksheet before the shared strings and the workbook part last; here the shared strings
    // come first, so that the streaming reader alone meets the worksheet before the workbook it is read against
    const last = (name: string) => name.startsWith('xl/worksheets/') || name === 'xl/workbook.xml';
    const bytes = withEntriesLast(written, last);
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([Buffer.from(bytes)]), {});
    await expect(
      (async () => {
        for await (const worksheet of reader) for await (const row of worksheet) void row;
      })(),
    ).rejects.toThrow(/sheets/);
    const path = join(dir.path, 'workbook-last.xlsx');
    writeFileSync(path, bytes);
    const result = await importHoldingsFile(db, {
      filePath: path,
      fileName: 'workbook-last.xlsx',
      datasetName: 'last',
    });
    expect(holdingsSummary(db, result.datasetId).positions).toBe(20);
  });

  it('reads a workbook without shared strings or workbook relationships without parking a worksheet in a temporary file', async () => {
    fresh();
    // ExcelJS's own streaming writer, told to write strings inline, stores no shared-string part
    const written = join(dir.path, 'inline-strings.xlsx');
    const book = new ExcelJS.stream.xlsx.WorkbookWriter({
      filename: written,
      useSharedStrings: false,
      useStyles: true,
    });
    const sheet = book.addWorksheet('positions');
    sheet.addRow(['Fund', 'ISIN', 'Report date', 'Market value']).commit();
    for (let k = 0; k < 12; k++) sheet.addRow([`F${k % 3}`, `ISIN${k}`, day('2024-03-31'), 100 + k]).commit();
    await book.commit();
    const temporaryFiles = vi.spyOn(tmp, 'file');
    try {
      for (const [name, bytes] of [
        ['no-shared-strings.xlsx', new Uint8Array(readFileSync(written))],
        [
          'no-relationships.xlsx',
          withoutEntries(readFileSync(written), (part) => part === 'xl/_rels/workbook.xml.rels'),
        ],
      ] as const) {
        // read as stored, the worksheet goes to a temporary file, in plain text
        temporaryFiles.mockClear();
        const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([Buffer.from(bytes)]), {});
        for await (const worksheet of reader) for await (const row of worksheet) void row;
        expect(temporaryFiles).toHaveBeenCalled();
        temporaryFiles.mockClear();
        const path = join(dir.path, name);
        writeFileSync(path, bytes);
        const result = await importHoldingsFile(db, { filePath: path, fileName: name, datasetName: name });
        expect(holdingsSummary(db, result.datasetId).positions).toBe(12);
        expect(temporaryFiles).not.toHaveBeenCalled();
      }
    } finally {
      temporaryFiles.mockRestore();
    }
  });

  it('uses an explicit column mapping', async () => {
    fresh();
    const path = await workbook('mapped.xlsx', [['F1', 'A', day('2024-03-31'), 10, null, null, 'fund']]);
    const result = await importHoldingsFile(db, {
      filePath: path,
      fileName: 'mapped.xlsx',
      datasetName: 'mapped',
      mapping: { investor: 'ISIN', asset: 'Fund', date: 'Report date', amount: 'Market value' },
    });
    expect(loadHoldingsPanel(db, result.datasetId).panel.investors[0]!.code).toBe('A');
  });
});

describe('holdings from Parquet', () => {
  it('reads the columns of the schema in row batches, with row numbers as a spreadsheet would show them', async () => {
    fresh();
    const n = 120_000; // more than one read batch (50,000 rows)
    const path = join(dir.path, 'holdings.parquet');
    writeFileSync(
      path,
      parquetFile([
        { name: 'holder', values: Array.from({ length: n }, (_, k) => `H${k % 400}`) },
        { name: 'isin', values: Array.from({ length: n }, (_, k) => `X${Math.floor(k / 400) % 100}`) },
        {
          name: 'as_of',
          values: Array.from({ length: n }, (_, k) =>
            k < 40_000 ? '2024-03-31' : k < 80_000 ? '2024-06-30' : '2024-09-30',
          ),
        },
        { name: 'market_value', values: Array.from({ length: n }, (_, k) => 1 + (k % 13)) },
      ]),
    );
    const progress: number[] = [];
    const result = await importHoldingsFile(db, {
      filePath: path,
      fileName: 'holdings.parquet',
      datasetName: 'pq',
      onProgress: (rows) => progress.push(rows),
    });
    expect(result).toMatchObject({ investors: 400, assets: 100, positions: n });
    expect(holdingsSummary(db, result.datasetId).dates).toEqual(['2024-03-31', '2024-06-30', '2024-09-30']);
    expect(progress).toEqual([50_000, 100_000, 120_000]);
    expect(datasets.get(db, result.datasetId).report).toMatchObject({ importer: 'holdings Parquet', kept: n });

    const bad = join(dir.path, 'bad.parquet');
    writeFileSync(
      bad,
      parquetFile([
        { name: 'investor', values: ['A', 'B', 'C'] },
        { name: 'asset', values: ['X', 'Y', 'Z'] },
        { name: 'date', values: ['2024-03-31', '2024-02-30', '2024-03-31'] },
        { name: 'amount', values: [1, 2, -3] },
      ]),
    );
    const error = await importHoldingsFile(db, { filePath: bad, fileName: 'bad.parquet', datasetName: 'bad' }).catch(
      (e: unknown) => e,
    );
    expect((error as RowErrorsImportError).rowErrors.map((r) => `${r.row}:${r.column}`)).toEqual([
      '3:date',
      '4:amount',
    ]);
    expect(datasets.list(db).length).toBe(1);
  });

  it('refuses a file that is not Parquet, storing nothing', async () => {
    fresh();
    const path = join(dir.path, 'fake.parquet');
    writeFileSync(path, 'investor,asset,date,amount\nA,B,2024-03-31,1\n');
    await expect(
      importHoldingsFile(db, { filePath: path, fileName: 'fake.parquet', datasetName: 'fake' }),
    ).rejects.toThrow(/fake\.parquet is not a Parquet file/);
    expect(datasets.list(db)).toEqual([]);
  });

  it('turns reader cells into text: dates, formulas, rich text, big integers', () => {
    expect(cellText(day('2024-12-31'))).toBe('2024-12-31');
    expect(cellText({ formula: 'A1*2', result: 42 })).toBe('42');
    expect(cellText({ richText: [{ text: 'Fund ' }, { text: 'A' }] })).toBe('Fund A');
    expect(cellText(12345678901234567890n)).toBe('12345678901234567890');
    expect(cellText(null)).toBe('');
  });
});

describe('holdings from a SEC 13F information table', () => {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<ns1:informationTable xmlns:ns1="http://www.sec.gov/edgar/document/thirteenf/informationtable">
  <ns1:infoTable><ns1:nameOfIssuer>APPLE INC</ns1:nameOfIssuer><ns1:titleOfClass>COM</ns1:titleOfClass><ns1:cusip>037833100</ns1:cusip>
    <ns1:value>1000000</ns1:value><ns1:shrsOrPrnAmt><ns1:sshPrnamt>5000</ns1:sshPrnamt><ns1:sshPrnamtType>SH</ns1:sshPrnamtType></ns1:shrsOrPrnAmt>
    <ns1:investmentDiscretion>SOLE</ns1:investmentDiscretion></ns1:infoTable>
  <ns1:infoTable><ns1:nameOfIssuer>APPLE INC</ns1:nameOfIssuer><ns1:titleOfClass>COM</ns1:titleOfClass><ns1:cusip>037833100</ns1:cusip>
    <ns1:value>250000</ns1:value><ns1:shrsOrPrnAmt><ns1:sshPrnamt>1250</ns1:sshPrnamt><ns1:sshPrnamtType>SH</ns1:sshPrnamtType></ns1:shrsOrPrnAmt>
    <ns1:investmentDiscretion>DFND</ns1:investmentDiscretion></ns1:infoTable>
  <ns1:infoTable><ns1:nameOfIssuer>US TREASURY</ns1:nameOfIssuer><ns1:titleOfClass>NOTE</ns1:titleOfClass><ns1:cusip>912828ZT0</ns1:cusip>
    <ns1:value>700</ns1:value><ns1:shrsOrPrnAmt><ns1:sshPrnamt>700</ns1:sshPrnamt><ns1:sshPrnamtType>PRN</ns1:sshPrnamtType></ns1:shrsOrPrnAmt></ns1:infoTable>
  <ns1:infoTable><ns1:nameOfIssuer>APPLE INC</ns1:nameOfIssuer><ns1:titleOfClass>PUT</ns1:titleOfClass><ns1:cusip>037833100</ns1:cusip>
    <ns1:value>90</ns1:value><ns1:putCall>Put</ns1:putCall></ns1:infoTable>
</ns1:informationTable>`;

  it('sums the lines of a CUSIP, leaves options out and needs the filer and the date', async () => {
    fresh();
    const path = join(dir.path, 'infotable.xml');
    writeFileSync(path, xml);
    await expect(
      importHoldingsFile(db, { filePath: path, fileName: 'infotable.xml', datasetName: '13F' }),
    ).rejects.toThrow(/needs the filer and the report date/);
    const result = await importHoldingsFile(db, {
      filePath: path,
      fileName: 'infotable.xml',
      datasetName: '13F',
      filer: { investor: '0001067983', date: '2024-03-31' },
    });
    expect(result).toMatchObject({ investors: 1, assets: 2, positions: 2 });
    const { panel } = loadHoldingsPanel(db, result.datasetId);
    const apple = panel.assets.findIndex((a) => a.code === '037833100');
    expect(panel.snapshots[0]!.amount[Array.from(panel.snapshots[0]!.asset).indexOf(apple)]).toBe(1_250_000);
    expect(panel.assets[apple]!.class).toBe('COM');
    expect(datasets.get(db, result.datasetId).report.notes).toContain('1 put/call line(s) left out');
  });

  it('refuses a malformed CUSIP naming the entry', async () => {
    fresh();
    const path = join(dir.path, 'bad.xml');
    writeFileSync(path, xml.replace('912828ZT0', '91-28'));
    await expect(
      importHoldingsFile(db, {
        filePath: path,
        fileName: 'bad.xml',
        datasetName: 'bad',
        filer: { investor: 'X', date: '2024-03-31' },
      }),
    ).rejects.toThrow(/^bad\.xml: infoTable 3, cusip: not 9 letters or digits — "91-28"/);
    expect(datasets.list(db)).toEqual([]);
  });
});
